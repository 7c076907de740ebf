/** @module routes/admin/network: Admin Area › Settings › Network, the outbound request protection. */
import { Hono } from 'hono';
import type { AppContext, AppEnv } from '../../http/context.js';
import { redirectWithFlash } from '../../http/flash.js';
import { readForm } from '../../http/forms.js';
import { networkSettings, parseNetworkForm, saveNetworkSettings } from '../../model/network-settings.js';
import type { FieldErrors } from '../../validation.js';
import { AdminNav } from '../../../views/components/nav.js';
import type { FormValues } from '../../../views/components/form.js';
import { NETWORK_PATH, NetworkSettingsPage } from '../../../views/pages/admin/network.js';

function renderNetwork(c: AppContext, values: FormValues, errors: FieldErrors = {}) {
  return c.render(<NetworkSettingsPage values={values} errors={errors} />, {
    title: 'Network',
    breadcrumbs: [{ label: 'Admin Area', href: '/admin' }, { label: 'Settings' }, { label: 'Network' }],
    nav: <AdminNav current={NETWORK_PATH} />,
  });
}

export function adminNetworkRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const settings = await networkSettings(c.var.db);
    return renderNetwork(c, {
      allow_local_requests: settings.allow_local_requests ? '1' : '0',
      outbound_allowlist: settings.outbound_allowlist,
    });
  });

  routes.post('/', async (c) => {
    const form = await readForm(c);
    const parsed = parseNetworkForm(form);
    if (!parsed.ok) {
      c.status(422);
      return renderNetwork(c, form, parsed.errors);
    }
    await saveNetworkSettings(c.var.db, parsed.value, c.var.user!);
    return redirectWithFlash(c, NETWORK_PATH, 'Network settings saved.');
  });

  return routes;
}
