/** What Recent deliveries shows of a request: the integration's secrets and anything shaped like a credential, never. */
import { describe, expect, it } from 'vitest';
import { REDACTED, shownRequest } from '../../src/delivery/redaction.js';

describe('a delivery request as the log shows it', () => {
  it("keeps the webhook's origin and hides the rest of it when the webhook is a secret field", () => {
    const webhook = 'https://chat.example.com/hooks/abc';
    const shown = shownRequest({ method: 'POST', url: webhook, body: `payload=${encodeURIComponent(webhook)}` }, [
      webhook,
    ]);
    expect(shown.url).toBe(`https://chat.example.com/${REDACTED}`);
    expect(JSON.stringify(shown)).not.toContain('/hooks/abc');
  });

  it('hides a secret wherever it is, however it is encoded', () => {
    const token = 'p@ss word"1';
    const shown = shownRequest(
      {
        method: 'POST',
        url: `https://api.example.com/send/${encodeURIComponent(token)}`,
        headers: { 'content-type': 'application/json', 'x-note': token },
        body: JSON.stringify({ message: `the ${token} here`, user: token }),
      },
      [token],
    );
    const text = JSON.stringify(shown);
    for (const spelling of [token, encodeURIComponent(token), JSON.stringify(token).slice(1, -1)])
      expect(text).not.toContain(spelling);
    expect(shown.headers['x-note']).toBe(REDACTED);
    expect(JSON.parse(shown.body!)).toEqual({ message: `the ${REDACTED} here`, user: REDACTED });
  });

  it("hides Slack's and Telegram's tokens in the path, and query values named like keys, even when no field says so", () => {
    expect(
      shownRequest({ method: 'POST', url: 'https://hooks.slack.com/services/T000/B000/XXXXsecret1234XXXX' }, []).url,
    ).toBe(`https://hooks.slack.com/services/T000/B000/${REDACTED}`);
    expect(
      shownRequest({ method: 'POST', url: 'https://api.telegram.org/bot123456:ABCdefGHIjkl/sendMessage' }, []).url,
    ).toBe(`https://api.telegram.org/${REDACTED}/sendMessage`);
    expect(
      shownRequest(
        { method: 'POST', url: 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k1&token=t1&threadKey=x&a=b' },
        [],
      ).url,
    ).toBe(
      `https://chat.googleapis.com/v1/spaces/AAA/messages?key=${REDACTED}&token=${REDACTED}&threadKey=${REDACTED}&a=b`,
    );
    expect(shownRequest({ method: 'GET', url: 'https://jenkins:hunter2@ci.example.com/job' }, []).url).toBe(
      `https://jenkins:${REDACTED}@ci.example.com/job`,
    );
  });

  it('hides Authorization and other credential headers, and token-named form and JSON values', () => {
    const shown = shownRequest(
      {
        method: 'POST',
        url: 'https://api.pushover.net/1/messages.json',
        headers: {
          Authorization: 'Basic dXNlcjpwYXNz',
          'DD-API-KEY': 'k',
          'X-Gitlab-Token': 't',
          Accept: 'text/plain',
        },
        body: 'token=abc&user=def&message=hello',
      },
      [],
    );
    expect(shown.headers).toEqual({
      Authorization: REDACTED,
      'DD-API-KEY': REDACTED,
      'X-Gitlab-Token': REDACTED,
      Accept: 'text/plain',
    });
    expect(shown.body).toBe('token=abc&user=def&message=hello');
    const form = shownRequest(
      {
        method: 'POST',
        url: 'https://api.pushover.net/1/messages.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=abc&user=def&message=hello',
      },
      ['def'],
    );
    expect(form.body).toBe(`token=${REDACTED}&user=${REDACTED}&message=hello`);
    const json = shownRequest(
      {
        method: 'POST',
        url: 'https://x.example.com/',
        headers: { 'Content-Type': 'application/json' },
        body: '{"api_key":"k","nested":{"password":"p"},"text":"hi"}',
      },
      [],
    );
    expect(JSON.parse(json.body!)).toEqual({ api_key: REDACTED, nested: { password: REDACTED }, text: 'hi' });
  });
});
