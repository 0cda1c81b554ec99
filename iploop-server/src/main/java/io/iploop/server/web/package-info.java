/**
 * The web dashboard (docs/product/dashboard.md): server-rendered pages for everything the
 * REST API offers a person. Conventions for whoever adds a page: page controllers live here in
 * {@code web.internal}, package-private, one controller per group of pages (auth, overview and
 * nodes, analytics and usage, API keys, endpoints and docs, settings, admin, earn, cash-out and earn settings), and call only the other features'
 * public {@code XxxService} facades, exactly like the REST controllers, so no business rule lives
 * in a template or in this package; templates (under {@code templates/}) only present. Every
 * authenticated page is {@code <html th:replace="~{layout :: page(title, nav, ~{::main})}">}
 * with its content in one {@code <main>}; reusable parts (stat card, empty/error/loading states,
 * copy button, period selector, plan card, icons) are fragments in {@code templates/fragments/}.
 * Parts that refresh (dashboard every 30 s, nodes every 10 s) are fragments the page loads with
 * htmx ({@code hx-get} on a {@code /…/live} or {@code /…/table} endpoint); such a fragment lives
 * in its own file under {@code templates/fragments/} and the page includes it, because selecting a
 * fragment out of a page that itself replaces the layout renders the whole layout; state-changing actions are POST forms with the CSRF token (Thymeleaf
 * adds it to {@code th:action} forms; {@code static/js/app.js} adds it to every htmx request as
 * a header) followed by a redirect (or, for secrets shown once, a direct render). The browser
 * authenticates with the JWT in {@code platform.WebSessionCookie}; the page security chain is in
 * {@code platform.internal.SecurityConfig}. Admin-only pages go under {@code /admin/**}, which
 * the chain restricts to admins whose session was opened with 2FA (others are sent to the 2FA
 * section of {@code /settings}); the sidebar hides their items from everyone else. The Earn
 * section ({@code /earn/**}) is listed to operators and admins. Browser tests
 * extend {@code it.BrowserTestSupport} (one Chromium per class, screenshots at 375/768/1440 px in
 * both themes, axe-core checks).
 */
@NullMarked
package io.iploop.server.web;

import org.jspecify.annotations.NullMarked;
