package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.CashoutMethod;
import io.iploop.server.cashouts.CashoutsException;
import io.iploop.server.platform.EmailAddress;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Validates and masks the payment details of each method (docs/product/cashouts.md#payouts): PayPal and gift-card
 * e-mail, USDT TRC-20 address (Base58Check, version 0x41), Bitcoin address (Base58Check P2PKH/P2SH
 * or Bech32/Bech32m {@code bc1…}), bank IBAN (ISO 13616 mod-97) with SWIFT/BIC (ISO 9362), Revolut
 * Revtag. Errors name the field as {@code <prefix>.<key>}. Stateless; thread-safe.
 */
final class PaymentDetails {

    /** Normalised details (for the encrypted copy) and their masked form (for display). */
    record Validated(Map<String, String> details, String masked) {}

    private static final Pattern SWIFT = Pattern.compile("^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$");
    private static final Pattern IBAN = Pattern.compile("^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$");
    private static final Pattern REVTAG = Pattern.compile("^@?[a-z0-9._]{3,32}$");
    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final String BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    private PaymentDetails() {
    }

    /**
     * @param prefix the request field holding the details, e.g. {@code paymentDetails}
     * @throws CashoutsException {@code INVALID_PAYMENT_DETAILS} naming the first bad field
     */
    static Validated validate(CashoutMethod method, Map<String, String> raw, String prefix) {
        Map<String, String> d = new LinkedHashMap<>();
        switch (method) {
            case PAYPAL, AMAZON_GIFT_CARD -> {
                String email = required(raw, "email", prefix).toLowerCase(Locale.ROOT);
                String problem = EmailAddress.problem(email);
                if (problem != null) {
                    throw invalid(prefix, "email", problem.replaceFirst("^is ", ""));
                }
                d.put("email", email);
                return new Validated(d, maskEmail(email));
            }
            case USDT -> {
                String address = required(raw, "address", prefix);
                if (!isTronAddress(address)) {
                    throw invalid(prefix, "address",
                            "not a TRC-20 address (expected: 34 Base58 characters starting with T, valid checksum)");
                }
                d.put("address", address);
                return new Validated(d, maskMiddle(address));
            }
            case BITCOIN -> {
                String address = required(raw, "address", prefix);
                if (!isBitcoinAddress(address)) {
                    throw invalid(prefix, "address",
                            "not a Bitcoin mainnet address (expected: 1… or 3… Base58Check, or bc1… Bech32)");
                }
                d.put("address", address);
                return new Validated(d, maskMiddle(address));
            }
            case BANK_TRANSFER -> {
                String iban = required(raw, "iban", prefix).replace(" ", "").toUpperCase(Locale.ROOT);
                if (!isIban(iban)) {
                    throw invalid(prefix, "iban", "not a valid IBAN (country, check digits, account; mod-97 check)");
                }
                String swift = required(raw, "swift", prefix).replace(" ", "").toUpperCase(Locale.ROOT);
                if (!SWIFT.matcher(swift).matches()) {
                    throw invalid(prefix, "swift", "not a valid SWIFT/BIC code (expected: 8 or 11 characters)");
                }
                String holder = required(raw, "accountHolder", prefix);
                if (holder.length() > 140) {
                    throw invalid(prefix, "accountHolder", "longer than 140 characters");
                }
                d.put("iban", iban);
                d.put("swift", swift);
                d.put("accountHolder", holder);
                return new Validated(d, iban.substring(0, 4) + " …" + iban.substring(iban.length() - 4) + " (" + swift + ")");
            }
            case REVOLUT -> {
                String tag = required(raw, "revtag", prefix).toLowerCase(Locale.ROOT);
                if (!REVTAG.matcher(tag).matches()) {
                    throw invalid(prefix, "revtag", "not a Revtag (3-32 of a-z, 0-9, '.', '_')");
                }
                d.put("revtag", tag.startsWith("@") ? tag : "@" + tag);
                return new Validated(d, d.get("revtag"));
            }
        }
        throw new IllegalStateException("method " + method);
    }

    /** The keys each method takes, for error messages. */
    static Set<String> keys(CashoutMethod method) {
        return switch (method) {
            case PAYPAL, AMAZON_GIFT_CARD -> Set.of("email");
            case USDT, BITCOIN -> Set.of("address");
            case BANK_TRANSFER -> Set.of("iban", "swift", "accountHolder");
            case REVOLUT -> Set.of("revtag");
        };
    }

    private static String required(Map<String, String> raw, String key, String prefix) {
        String v = raw.get(key);
        if (v == null || v.isBlank()) {
            throw invalid(prefix, key, "required");
        }
        return v.strip();
    }

    private static CashoutsException invalid(String prefix, String key, String why) {
        return new CashoutsException(CashoutsException.Reason.INVALID_PAYMENT_DETAILS,
                prefix + "." + key + ": " + why, prefix + "." + key);
    }

    static String maskEmail(String email) {
        int at = email.indexOf('@');
        return email.charAt(0) + "***" + email.substring(at);
    }

    static String maskMiddle(String s) {
        return s.substring(0, 4) + "…" + s.substring(s.length() - 4);
    }

    static boolean isTronAddress(String address) {
        if (address.length() != 34 || address.charAt(0) != 'T') {
            return false;
        }
        byte[] payload = base58Check(address);
        return payload != null && payload.length == 21 && payload[0] == 0x41;
    }

    static boolean isBitcoinAddress(String address) {
        if (address.regionMatches(true, 0, "bc1", 0, 3)) {
            return isBech32SegwitAddress(address);
        }
        if (address.length() < 26 || address.length() > 35) {
            return false;
        }
        byte[] payload = base58Check(address);
        return payload != null && payload.length == 21 && (payload[0] == 0x00 || payload[0] == 0x05);
    }

    static boolean isIban(String iban) {
        if (!IBAN.matcher(iban).matches()) {
            return false;
        }
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        StringBuilder digits = new StringBuilder();
        for (char c : rearranged.toCharArray()) {
            digits.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        }
        return new BigInteger(digits.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
    }

    /** The payload of a Base58Check string (version byte first), or null when malformed or the checksum fails. */
    static byte @Nullable [] base58Check(String s) {
        BigInteger n = BigInteger.ZERO;
        for (char c : s.toCharArray()) {
            int digit = BASE58.indexOf(c);
            if (digit < 0) {
                return null;
            }
            n = n.multiply(BigInteger.valueOf(58)).add(BigInteger.valueOf(digit));
        }
        byte[] body = n.toByteArray();
        if (body.length > 1 && body[0] == 0) {
            body = Arrays.copyOfRange(body, 1, body.length); // sign byte
        }
        int leadingZeros = 0;
        while (leadingZeros < s.length() && s.charAt(leadingZeros) == '1') {
            leadingZeros++;
        }
        byte[] full = new byte[leadingZeros + (n.signum() == 0 ? 0 : body.length)];
        if (n.signum() != 0) {
            System.arraycopy(body, 0, full, leadingZeros, body.length);
        }
        if (full.length < 5) {
            return null;
        }
        byte[] payload = Arrays.copyOfRange(full, 0, full.length - 4);
        byte[] check = Arrays.copyOfRange(sha256(sha256(payload)), 0, 4);
        return Arrays.equals(check, Arrays.copyOfRange(full, full.length - 4, full.length)) ? payload : null;
    }

    /** BIP 173 / BIP 350: {@code bc1} segwit address, witness v0 with Bech32, v1+ with Bech32m. */
    static boolean isBech32SegwitAddress(String address) {
        if (address.length() < 14 || address.length() > 90) {
            return false;
        }
        if (!address.equals(address.toLowerCase(Locale.ROOT)) && !address.equals(address.toUpperCase(Locale.ROOT))) {
            return false;
        }
        String a = address.toLowerCase(Locale.ROOT);
        int sep = a.lastIndexOf('1');
        if (sep != 2 || !a.startsWith("bc") || a.length() - sep - 1 < 6) {
            return false;
        }
        int[] data = new int[a.length() - sep - 1];
        for (int i = 0; i < data.length; i++) {
            int v = BECH32.indexOf(a.charAt(sep + 1 + i));
            if (v < 0) {
                return false;
            }
            data[i] = v;
        }
        int[] values = new int[5 + data.length];
        // hrp expansion of "bc": high bits, 0, low bits
        values[0] = 'b' >> 5;
        values[1] = 'c' >> 5;
        values[2] = 0;
        values[3] = 'b' & 31;
        values[4] = 'c' & 31;
        System.arraycopy(data, 0, values, 5, data.length);
        int polymod = polymod(values);
        int version = data[0];
        if (version > 16) {
            return false;
        }
        int expected = version == 0 ? 1 : 0x2bc830a3;
        if (polymod != expected) {
            return false;
        }
        int programBits = (data.length - 1 - 6) * 5;
        int programBytes = programBits / 8;
        if (programBits % 8 >= 5) {
            return false;
        }
        if (programBytes < 2 || programBytes > 40) {
            return false;
        }
        return version != 0 || programBytes == 20 || programBytes == 32;
    }

    private static int polymod(int[] values) {
        int[] gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        int chk = 1;
        for (int v : values) {
            int top = chk >>> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (int i = 0; i < 5; i++) {
                if (((top >>> i) & 1) != 0) {
                    chk ^= gen[i];
                }
            }
        }
        return chk;
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
