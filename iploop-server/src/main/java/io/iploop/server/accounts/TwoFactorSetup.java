package io.iploop.server.accounts;

/**
 * What an authenticator app needs to start producing codes (docs/product/accounts.md#two-factor-authentication): shown once by setup,
 * before 2FA is enabled. Immutable.
 *
 * @param secret the shared secret, base32 (RFC 4648, no padding), for manual entry
 * @param otpauthUri {@code otpauth://totp/IPLoop:<email>?secret=…&issuer=IPLoop&algorithm=SHA1&digits=6&period=30}
 * @param qrCode the same URI as a QR code: {@code data:image/png;base64,…}
 */
public record TwoFactorSetup(String secret, String otpauthUri, String qrCode) {}
