package io.iploop.server.platform;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.jspecify.annotations.Nullable;

/**
 * The one e-mail address check of the platform, for the API ({@link Valid @EmailAddress.Valid}),
 * the dashboard's forms and payout details alike. Every parser faces an attacker
 * ({@code docs/security.md}): the length is bounded before anything else and the rest is a single
 * linear scan, no regular expression, so a 64 KiB address costs as little as a short one.
 *
 * <p>Accepted: {@code local@domain}, at most {@value #MAX_LENGTH} characters (RFC 5321 §4.5.3.1.3:
 * a 256-octet path minus its angle brackets); a local part of at most {@value #MAX_LOCAL_PART}
 * characters (RFC 5321 §4.5.3.1.1) of RFC 5322 {@code dot-atom} text (atext and single inner
 * dots; no quoted strings); a domain of at least two dot-separated labels of letters, digits and
 * inner hyphens, 1-63 characters each (RFC 1035 §2.3.1; non-ASCII letters allowed for
 * internationalised names), whose last label is not all digits (no IP literals). Stateless;
 * thread-safe.
 */
public final class EmailAddress {

    /** Longest address, in characters. */
    public static final int MAX_LENGTH = 254;
    /** Longest local part (before the {@code @}), in characters. */
    public static final int MAX_LOCAL_PART = 64;

    private static final int MAX_LABEL = 63;
    private static final String ATEXT_SPECIALS = "!#$%&'*+/=?^_`{|}~-";

    private EmailAddress() {
    }

    /**
     * The address masked for showing to somebody else: first character of the local part, then
     * {@code ***}, then the domain ({@code j***@example.com}); {@code ***} when it has no local part.
     */
    public static String mask(String email) {
        int at = email.indexOf('@');
        return at <= 0 ? "***" : email.substring(0, email.offsetByCodePoints(0, 1)) + "***" + email.substring(at);
    }

    /** True if {@code value} is an address this platform accepts (see the class comment). */
    public static boolean isValid(@Nullable CharSequence value) {
        return problem(value) == null;
    }

    /**
     * Null if {@code value} is acceptable, else what is wrong, phrased to follow the field's name
     * ({@code "is too long (at most 254 characters)"}, {@code "is not a valid e-mail address"}).
     */
    public static @Nullable String problem(@Nullable CharSequence value) {
        if (value == null || value.isEmpty()) {
            return "is required";
        }
        if (value.length() > MAX_LENGTH) {
            return "is too long (at most " + MAX_LENGTH + " characters)";
        }
        return wellFormed(value) ? null : "is not a valid e-mail address";
    }

    private static boolean wellFormed(CharSequence s) {
        int at = -1;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '@') {
                if (at >= 0) {
                    return false;
                }
                at = i;
            }
        }
        return at > 0 && at <= MAX_LOCAL_PART && localPart(s, 0, at) && domain(s, at + 1, s.length());
    }

    private static boolean localPart(CharSequence s, int from, int to) {
        char previous = '.';
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (previous == '.') {
                    return false; // leading or doubled dot
                }
            } else if (!isAtext(c)) {
                return false;
            }
            previous = c;
        }
        return previous != '.';
    }

    private static boolean domain(CharSequence s, int from, int to) {
        int labels = 0;
        int labelStart = from;
        boolean allDigits = true;
        for (int i = from; i <= to; i++) {
            if (i == to || s.charAt(i) == '.') {
                int length = i - labelStart;
                if (length < 1 || length > MAX_LABEL || s.charAt(labelStart) == '-' || s.charAt(i - 1) == '-') {
                    return false;
                }
                labels++;
                if (i < to) {
                    labelStart = i + 1;
                    allDigits = true;
                }
                continue;
            }
            char c = s.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            if (!(digit || c == '-' || isAsciiLetter(c) || (c >= 0x80 && Character.isLetter(c)))) {
                return false;
            }
            allDigits &= digit;
        }
        return labels >= 2 && !allDigits;
    }

    private static boolean isAtext(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || ATEXT_SPECIALS.indexOf(c) >= 0
                || (c >= 0x80 && Character.isLetterOrDigit(c));
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /**
     * Bean Validation constraint: a null value is valid (combine with {@code @NotBlank}), anything
     * else must pass {@link EmailAddress#problem}; the violation's message says which rule failed.
     */
    @Documented
    @Constraint(validatedBy = Validator.class)
    @Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD,
        ElementType.ANNOTATION_TYPE, ElementType.TYPE_USE})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Valid {
        String message() default "is not a valid e-mail address";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** Checks {@link Valid @EmailAddress.Valid}. Stateless; thread-safe. */
    public static final class Validator implements ConstraintValidator<Valid, CharSequence> {

        @Override
        public boolean isValid(@Nullable CharSequence value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            String problem = problem(value);
            if (problem == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(problem).addConstraintViolation();
            return false;
        }
    }
}
