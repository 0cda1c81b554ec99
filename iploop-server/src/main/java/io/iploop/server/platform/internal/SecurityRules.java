package io.iploop.server.platform.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * The account-security rules of the API as reusable authorization managers, so one line of
 * {@link SecurityConfig} applies them to a whole path pattern (2FA is mandatory for
 * admins, docs/product/accounts.md#two-factor-authentication; the first admin's one-time password). A denial carries a stable error code
 * ({@link Denied}) that the access-denied handler puts into the 403 body. Stateless; thread-safe.
 */
final class SecurityRules {

    /** Authority of a token issued after a second factor ({@code amr} contains {@code otp}). */
    static final String TWO_FACTOR = "AMR_OTP";
    /** Authority of an account whose stored must-change-password flag is set. */
    static final String PASSWORD_CHANGE_REQUIRED = "PASSWORD_CHANGE_REQUIRED";

    /** Authority of a request authenticated by an admin API token ({@link AdminApiTokenFilter}). */
    static final String ADMIN_TOKEN = "ADMIN_TOKEN";

    private SecurityRules() {
    }

    /**
     * An admin API token with {@code scope} (else 403 {@code insufficient_scope}), or
     * {@link #adminWithTwoFactor()} for a login (docs/upstream-pool.md#admin-api-and-tokens).
     */
    static AuthorizationManager<RequestAuthorizationContext> adminOrScope(String scope) {
        AuthorizationManager<RequestAuthorizationContext> admin = adminWithTwoFactor();
        return (authentication, context) -> {
            Authentication a = authentication.get();
            if (a != null && has(a, ADMIN_TOKEN)) {
                return has(a, "SCOPE_" + scope) ? new AuthorizationDecision(true)
                        : new Denied("insufficient_scope", "this admin API token lacks the scope " + scope);
            }
            return admin.authorize(authentication, context);
        };
    }

    /**
     * Authenticated, and the account need not change its password first; otherwise 403
     * {@code password_change_required}. Anonymous callers are denied (the entry point answers 401).
     */
    static AuthorizationManager<RequestAuthorizationContext> passwordChanged() {
        return (authentication, context) -> checkPasswordChanged(authentication.get());
    }

    /**
     * {@link #passwordChanged()}, role {@code admin} (else 403 {@code forbidden}), and a token
     * issued after a second factor (else 403 {@code two_factor_required}): 2FA is mandatory for
     * admins (docs/product/accounts.md#two-factor-authentication).
     */
    static AuthorizationManager<RequestAuthorizationContext> adminWithTwoFactor() {
        return (authentication, context) -> {
            Authentication a = authentication.get();
            AuthorizationResult base = checkPasswordChanged(a);
            if (!base.isGranted()) {
                return base;
            }
            if (!has(a, "ROLE_ADMIN")) {
                return new AuthorizationDecision(false);
            }
            if (!has(a, TWO_FACTOR)) {
                return new Denied("two_factor_required",
                        "admins must use two-factor authentication: enable it (POST /api/auth/2fa/setup, then "
                                + "/api/auth/2fa/verify) and log in again with a TOTP code");
            }
            return new AuthorizationDecision(true);
        };
    }

    private static AuthorizationResult checkPasswordChanged(@Nullable Authentication a) {
        if (a == null || !a.isAuthenticated() || a instanceof AnonymousAuthenticationToken) {
            return new AuthorizationDecision(false);
        }
        if (has(a, PASSWORD_CHANGE_REQUIRED)) {
            return new Denied("password_change_required",
                    "this account must change its password first (PUT /api/auth/password)");
        }
        return new AuthorizationDecision(true);
    }

    private static boolean has(Authentication a, String authority) {
        for (GrantedAuthority g : a.getAuthorities()) {
            if (authority.equals(g.getAuthority())) {
                return true;
            }
        }
        return false;
    }

    /** A denial with the code and message for the 403 body. Immutable. */
    static final class Denied extends AuthorizationDecision {

        private static final long serialVersionUID = 1L;

        final String code;
        final String message;

        Denied(String code, String message) {
            super(false);
            this.code = code;
            this.message = message;
        }
    }
}
