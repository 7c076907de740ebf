/**
 * Per-field inheritance as a sighted user meets it, in Chromium with JavaScript on and off: on a
 * project's Slack page in custom settings, each "Inherit <field>" box says which field it is for,
 * in words that are seen and heard alike, and sits on that field's own label line, nearer its
 * input than the next field's label, so that nobody unticks the wrong one.
 */
import { expect, it } from 'vitest';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { createGroup } from '../../src/model/groups.js';
import { createProject } from '../../src/model/projects.js';
import { findUserByUsername } from '../../src/model/users.js';
import { must } from '../support/world.js';
import { describeInChromium, descriptionOf, ROOT, type RunningServer, signIn } from './support.js';

const PROJECT_SLACK = '/platform/api/-/settings/integrations/slack';

/** Platform / API below an instance Slack default, saved by root as the page saves it. */
async function seedInstanceDefault(server: RunningServer): Promise<void> {
  const platform = must(await createGroup(server.db, { name: 'Platform', path: 'platform' }));
  must(await createProject(server.db, { name: 'API', path: 'api' }, platform));
  const cookie = `${SESSION_COOKIE}=${await createSession(server.db, (await findUserByUsername(server.db, ROOT.username))!.id)}`;
  const form = {
    _version: '0',
    _confirmed: '1',
    active: '1',
    webhook: 'https://hooks.slack.com/services/T0/B0/INSTANCE',
    username: 'cascade',
    channel: '#general',
  };
  const saved = await fetch(`${server.origin}/admin/application_settings/integrations/slack`, {
    method: 'POST',
    headers: { cookie, origin: server.origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
  if (saved.status !== 303) throw new Error(`Could not save the instance default: ${saved.status}`);
}

/** Where a box is, next to its field: what the page shows, measured in the page. */
interface ToggleLayout {
  field: string;
  /** The field's label, without "(required)". */
  fieldLabel: string;
  /** The text of the box's label that is drawn on screen (visually hidden text left out). */
  visibleText: string;
  insideFieldGroup: boolean;
  toOwnInput: number;
  /** To the field's own label, whose line the box shares. */
  toOwnLabel: number;
  /** Null for the last field. */
  toNextLabel: number | null;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describeInChromium(
  'per-field inheritance',
  (run) => {
    it('ties each "Inherit" box to its own field: named after it, on its label line, nearer its input than the next label', async () => {
      const { page } = run.tab;
      await signIn(run.tab, ROOT.username, ROOT.password);
      await run.tab.visit(PROJECT_SLACK);
      await page.getByLabel('Settings to use').selectOption({ label: 'Use custom settings' });
      if (run.javaScriptEnabled) await page.locator('input[name="_inherit"]').first().waitFor();
      else await run.tab.follow(page.getByRole('button', { name: 'Update form' }));

      const layouts = await page.evaluate(() => {
        const distance = (a: DOMRect, b: DOMRect) =>
          Math.hypot(Math.max(0, a.left - b.right, b.left - a.right), Math.max(0, a.top - b.bottom, b.top - a.bottom));
        const groups = [...document.querySelectorAll('.settings-fields .field')];
        const drawnText = (element: Element) => {
          const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
          let text = '';
          // Visually hidden text sits in a box of 1 by 1 pixel.
          for (let node = walker.nextNode(); node; node = walker.nextNode())
            if (node.parentElement!.getBoundingClientRect().width > 1) text += node.textContent;
          return text.replace(/\s+/g, ' ').trim();
        };
        return [...document.querySelectorAll<HTMLInputElement>('input[name="_inherit"]')].map((toggle) => {
          const input = document.getElementById(toggle.dataset.inheritFor!)!;
          const group = input.closest('.field')!;
          const next = groups[groups.indexOf(group) + 1]?.querySelector('label');
          const box = toggle.getBoundingClientRect();
          const ownLabel = document.querySelector(`label[for="${input.id}"]`)!;
          return {
            field: toggle.value,
            fieldLabel: ownLabel.textContent.replace(/\(required\)/, '').trim(),
            visibleText: drawnText(document.querySelector(`label[for="${toggle.id}"]`)!),
            insideFieldGroup: group.contains(toggle),
            toOwnInput: distance(box, input.getBoundingClientRect()),
            toOwnLabel: distance(box, ownLabel.getBoundingClientRect()),
            toNextLabel: next ? distance(box, next.getBoundingClientRect()) : null,
          } satisfies ToggleLayout;
        });
      });

      // Enabled, the eight fields, and each event with its channel.
      expect(layouts.length).toBeGreaterThanOrEqual(9);
      for (const layout of layouts) {
        const named = new RegExp(`^Inherit ${escapeRegExp(layout.fieldLabel)}( events)?$`);
        expect(layout.visibleText, layout.field).toMatch(named);
        const toggle = page.getByRole('checkbox', { name: named }).and(page.locator(`[value="${layout.field}"]`));
        expect(await toggle.count(), `the box named after ${layout.fieldLabel}`).toBe(1);
        expect(await descriptionOf(toggle), layout.field).toBe(
          await descriptionOf(page.locator(`[name="${layout.field}"]:not([type="hidden"])`)),
        );
        expect(layout.insideFieldGroup, layout.field).toBe(true);
        // On the label's line (or just under a label that fills it), nearer its own field than the next.
        expect(layout.toOwnLabel, layout.field).toBeLessThanOrEqual(24);
        if (layout.toNextLabel !== null)
          expect(Math.min(layout.toOwnInput, layout.toOwnLabel), layout.field).toBeLessThan(layout.toNextLabel);
      }
    });
  },
  seedInstanceDefault,
);
