/**
 * Cascade's JSX runtime: elements become their HTML at once, escaped as hono/jsx escaped them.
 */
import { describe, expect, it } from 'vitest';
import { htmlOf } from '../../views/jsx/html.js';

function Greeting({ name, children }: { name: string; children?: unknown }) {
  return (
    <p title={`Hello ${name}`}>
      {name}: {children}
    </p>
  );
}

describe('the JSX runtime', () => {
  it('escapes text and attribute values, and keeps the markup of elements inside', () => {
    const html = htmlOf(
      <a href="/search?q=a&b" data-note={`"it's"`}>
        {'<script>alert(1)</script> & more'}
        <b>bold</b>
      </a>,
    );
    expect(html).toBe(
      '<a href="/search?q=a&amp;b" data-note="&quot;it&#39;s&quot;">&lt;script&gt;alert(1)&lt;/script&gt; &amp; more<b>bold</b></a>',
    );
  });

  it('writes boolean attributes empty when on and leaves them out when off; other booleans as text', () => {
    expect(htmlOf(<input type="checkbox" checked disabled={false} aria-invalid={true} />)).toBe(
      '<input type="checkbox" checked="" aria-invalid="true"/>',
    );
  });

  it('leaves out null, undefined and false, in attributes and children', () => {
    expect(
      htmlOf(
        <div id={undefined} class={null as unknown as string}>
          {false}
          {null}
          {undefined}
          {0}
        </div>,
      ),
    ).toBe('<div>0</div>');
  });

  it('closes void elements in the tag and every other element with a closing tag', () => {
    expect(
      htmlOf(
        <>
          <br />
          <img src="/logo.svg" alt="" />
          <span />
          <textarea></textarea>
        </>,
      ),
    ).toBe('<br/><img src="/logo.svg" alt=""/><span></span><textarea></textarea>');
  });

  it('renders components with their props and children, lists and fragments', () => {
    const items = ['one', 'two'];
    const html = htmlOf(
      <ul>
        {items.map((item) => (
          <li>
            <Greeting name={item}>
              <i>{item.length}</i>
            </Greeting>
          </li>
        ))}
      </ul>,
    );
    expect(html).toBe(
      '<ul><li><p title="Hello one">one: <i>3</i></p></li><li><p title="Hello two">two: <i>3</i></p></li></ul>',
    );
  });

  it('escapes an element given as an attribute value', () => {
    expect(htmlOf(<span title={(<b class="x">y</b>) as unknown as string} />)).toBe(
      '<span title="&lt;b class=&quot;x&quot;&gt;y&lt;/b&gt;"></span>',
    );
  });

  it('refuses an async component: pages render synchronously', () => {
    const Later = async () => <p>later</p>;
    expect(() => <Later />).toThrow(/synchronously/);
  });
});
