/**
 * @module views/layout
 * The page frame: header, left navigation, breadcrumbs, flash message. Pages render into it
 * with `c.render(<Page />, { title, breadcrumbs, nav })`.
 */
import type { MiddlewareHandler } from 'hono';
import type { Child } from 'hono/jsx';
import type { User } from '../src/db/schema.js';
import type { AppEnv, Flash } from '../src/http/context.js';
import { Breadcrumbs, type Crumb } from './components/breadcrumbs.js';
import { FlashMessage } from './components/flash.js';
import { htmlOf } from './jsx/html.js';

export interface PageMeta {
  title: string;
  breadcrumbs?: Crumb[];
  /** The left navigation of the section the page belongs to (Admin Area, a group, a project). */
  nav?: Child;
  /**
   * Reloads the page every so many seconds, for browsers without JavaScript only (with it, htmx
   * updates the part that changes): a page showing a run in progress.
   */
  refreshSeconds?: number | undefined;
}

declare module 'hono' {
  interface ContextRenderer {
    (content: Child, meta: PageMeta): Response | Promise<Response>;
  }
}

function Header({ user }: { user: User | null }) {
  return (
    <header class="topbar">
      <a class="brand" href="/">
        <img src="/public/logo.svg" alt="" width="24" height="24" />
        <span>Cascade</span>
      </a>
      {user && (
        <nav class="topbar-links" aria-label="Main">
          <a href="/">Your groups and projects</a>
          {user.isAdmin && <a href="/admin">Admin Area</a>}
        </nav>
      )}
      {user && (
        <div class="topbar-user">
          <span class="topbar-username" title={user.name}>
            @{user.username}
          </span>
          <a class="button button-tertiary" href="/-/user_settings/personal_access_tokens">
            Access tokens
          </a>
          <form method="post" action="/users/sign_out">
            <button type="submit" class="button button-tertiary">
              Sign out
            </button>
          </form>
        </div>
      )}
    </header>
  );
}

interface FrameProps extends PageMeta {
  user: User | null;
  flash: Flash | null;
  children: Child;
}

function Frame({ user, flash, title, breadcrumbs, nav, refreshSeconds, children }: FrameProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorCSS":false}' />
        <title>{`${title} · Cascade`}</title>
        {refreshSeconds !== undefined && (
          <noscript>
            <meta http-equiv="refresh" content={String(refreshSeconds)} />
          </noscript>
        )}
        <link rel="icon" href="/public/logo.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/public/app.css" />
        <script src="/public/vendor/htmx.min.js" defer></script>
        <script src="/public/app.js" defer></script>
        <script src="/public/local-time.js" defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <Header user={user} />
        <div class={nav ? 'page page-with-nav' : 'page'}>
          {nav}
          <main id="main" class="content" tabindex={-1}>
            {breadcrumbs && breadcrumbs.length > 0 && <Breadcrumbs items={breadcrumbs} />}
            <FlashMessage flash={flash} />
            {children}
          </main>
        </div>
      </body>
    </html>
  );
}

/** Sets `c.render` for the pages: the page inside the frame, for the signed-in user. */
export const layout: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.setRenderer((content, meta) =>
    c.html(
      `<!DOCTYPE html>${htmlOf(
        <Frame {...meta} user={c.var.user} flash={c.var.flash}>
          {content}
        </Frame>,
      )}`,
    ),
  );
  await next();
};
