package io.iploop.server.web.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.mail.MailService;
import io.iploop.server.notifications.NotificationsService;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.AuthenticatedUser;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Puts what the layout needs into every page model of this package: {@code me} (the signed-in
 * {@link Account}, null on public pages), {@code isAdmin}, {@code path} (for the active sidebar
 * item) and {@code unreadNotifications} (the bell's count, docs/plans-and-alerts.md#notifications). Renders a feature's {@link ApiException} thrown by a page as the error page with its
 * status and message (docs/product/dashboard.md#errors-and-states: messages shown verbatim; another tenant's object is a plain
 * 404), and anything unexpected as a 500 page without details (logged). Thread-safe.
 */
@ControllerAdvice(basePackageClasses = PageModelAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
final class PageModelAdvice {

    private static final Logger log = LoggerFactory.getLogger(PageModelAdvice.class);

    /**
     * The sidebar (docs/product/dashboard.md#sidebar), in order; a new page adds one line. {@code id} is what a page
     * passes as {@code nav} to the layout to highlight its item; {@code icon} names a fragment of
     * {@code fragments/icons}. Admin items are listed only to admins.
     */
    static final List<NavItem> NAV = List.of(
            new NavItem("dashboard", "/dashboard", "Dashboard", "dashboard", false),
            new NavItem("nodes", "/nodes", "Nodes", "nodes", false),
            new NavItem("analytics", "/analytics", "Analytics", "analytics", false),
            new NavItem("usage", "/usage", "Usage", "usage", false),
            new NavItem("api-keys", "/api-keys", "API Keys", "key", false),
            new NavItem("sub-users", "/sub-users", "Sub-users", "users", false),
            new NavItem("endpoints", "/endpoints", "Proxy Endpoints", "globe", false),
            new NavItem("webhooks", "/webhooks", "Webhooks", "webhook", false),
            new NavItem("docs", "/docs", "Docs", "book", false),
            new NavItem("settings", "/settings", "Settings", "settings", false),
            new NavItem("billing", "/billing", "Billing", "wallet", false),
            new NavItem("admin", "/admin", "Supply", "shield", true),
            new NavItem("admin-users", "/admin/users", "Users", "users", true),
            new NavItem("admin-plans", "/admin/plans", "Plans", "layers", true),
            new NavItem("admin-cashouts", "/admin/cashouts", "Cash-outs", "cash", true),
            new NavItem("admin-audit", "/admin/audit", "Audit log", "list", true),
            new NavItem("admin-mailbox", "/admin/mailbox", "Mailbox", "mail", true),
            new NavItem("admin-billing", "/admin/billing", "Billing", "cash", true),
            new NavItem("admin-finance", "/admin/finance", "Finance", "analytics", true),
            new NavItem("campaigns", "/campaigns", "Campaigns", "globe", false),
            new NavItem("affiliates", "/affiliates", "Affiliates", "users", false),
            new NavItem("admin-retention", "/admin/retention", "Retention", "settings", true));

    /**
     * The Earn section of the sidebar (docs/product/earn.md#earn-dashboard), shown to operators (who enrolled a device
     * or chose "earn" at sign-up) and admins.
     */
    static final List<NavItem> EARN_NAV = List.of(
            new NavItem("earn", "/earn", "Earn home", "coin", false),
            new NavItem("earn-devices", "/earn/devices", "Devices", "server", false),
            new NavItem("earn-earnings", "/earn/earnings", "Earnings", "analytics", false),
            new NavItem("earn-cashout", "/earn/cashout", "Cash out", "wallet", false),
            new NavItem("earn-referral", "/earn/referral", "Referral", "users", false),
            new NavItem("earn-settings", "/earn/settings", "Earn settings", "settings", false));

    /** A sidebar entry. */
    record NavItem(String id, String href, String label, String icon, boolean adminOnly) {}

    private final AccountsService accounts;
    private final MailService mail;
    private final NotificationsService notifications;

    PageModelAdvice(AccountsService accounts, MailService mail, NotificationsService notifications) {
        this.accounts = accounts;
        this.mail = mail;
        this.notifications = notifications;
    }

    @ModelAttribute
    void layout(Model model, HttpServletRequest request) {
        @Nullable AuthenticatedUser user = currentUser();
        @Nullable Account me = user == null ? null : accounts.find(user.userId()).orElse(null);
        model.addAttribute("me", me);
        model.addAttribute("isAdmin", user != null && user.isAdmin());
        model.addAttribute("path", request.getRequestURI());
        model.addAttribute("navItems", NAV);
        model.addAttribute("mailConfigured", mail.smtpConfigured());
        model.addAttribute("planHelp", PlanHelpLink.INSTANCE);
        model.addAttribute("earnNav", EARN_NAV);
        model.addAttribute("unreadNotifications", me == null ? 0L : notifications.unreadCount(me.id()));
        model.addAttribute("showEarn", me != null && (me.role() == UserRole.OPERATOR || me.role() == UserRole.ADMIN));
    }

    @ExceptionHandler(ApiException.class)
    String feature(ApiException e, Model model, HttpServletResponse response) {
        response.setStatus(e.status().value());
        model.addAttribute("status", e.status().value());
        model.addAttribute("message", e.getMessage());
        return "error";
    }

    @ExceptionHandler(Exception.class)
    String unexpected(Exception e, Model model, HttpServletResponse response) {
        if (e instanceof ErrorResponse mvc && mvc.getStatusCode().is4xxClientError()) {
            // Spring MVC's own 4xx (unknown resource, bad parameter): the request's fault, not ours.
            int status = mvc.getStatusCode().value();
            response.setStatus(status);
            model.addAttribute("status", status);
            model.addAttribute("message", status == 404 ? "This page does not exist." : "The request was not valid.");
            return "error";
        }
        log.error("dashboard page failed", e);
        response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
        model.addAttribute("status", 500);
        model.addAttribute("message", "Something went wrong on our side. Please try again in a moment.");
        return "error";
    }

    /** The signed-in caller of this request, or null for an anonymous one. */
    static @Nullable AuthenticatedUser currentUser() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getPrincipal() instanceof AuthenticatedUser u ? u : null;
    }
}
