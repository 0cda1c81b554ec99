package io.iploop.server.platform;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Issues and verifies the control plane's bearer tokens: JWT, HS256 with the key from
 * {@link PlatformSecrets}, 24 h lifetime (docs/product/accounts.md#registration). Besides the user, a token carries its
 * login session ({@code sid}, docs/product/accounts.md#login-sessions) and how the user authenticated ({@code amr}, RFC 8176:
 * {@code ["pwd"]} or {@code ["pwd","otp"]} after a second factor, docs/product/accounts.md#two-factor-authentication). Thread-safe.
 */
@Component
public final class JwtTokens {

    /** Token lifetime (docs/product/accounts.md#tokens-and-logout: 24 h by default). */
    public static final Duration LIFETIME = Duration.ofHours(24);
    private static final String ISSUER = "iploop";
    /** RFC 8176 authentication method references. */
    private static final List<String> AMR_PASSWORD = List.of("pwd");
    private static final List<String> AMR_TWO_FACTOR = List.of("pwd", "otp");

    private final MACSigner signer;
    private final MACVerifier verifier;
    private final Clock clock;

    @Autowired
    public JwtTokens(PlatformSecrets secrets) {
        this(secrets.jwtHmacKey(), Clock.systemUTC());
    }

    /** For tests: a fixed key and clock. {@code hmacKey} must be at least 256 bits. */
    public JwtTokens(byte[] hmacKey, Clock clock) {
        try {
            this.signer = new MACSigner(hmacKey);
            this.verifier = new MACVerifier(hmacKey);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("hmacKey: " + hmacKey.length + " bytes (expected: >= 32)", e);
        }
        this.clock = clock;
    }

    /**
     * A signed token for {@code user}, valid for {@link #LIFETIME}, with {@code sid} when the user
     * has a session id and {@code amr} from {@link AuthenticatedUser#twoFactor()}.
     */
    public IssuedToken issue(AuthenticatedUser user) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(LIFETIME);
        String jti = UUID.randomUUID().toString();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(user.userId().toString())
                .jwtID(jti)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .claim("cid", user.customerId())
                .claim("email", user.email())
                .claim("role", user.role())
                .claim("amr", user.twoFactor() ? AMR_TWO_FACTOR : AMR_PASSWORD);
        if (user.sessionId() != null) {
            builder.claim("sid", user.sessionId().toString());
        }
        JWTClaimsSet claims = builder.build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign JWT", e);
        }
        return new IssuedToken(jwt.serialize(), jti, expiresAt);
    }

    /** The user of a valid, unexpired token signed by us with HS256; empty for anything else. */
    public Optional<AuthenticatedUser> verify(String token) {
        return verifyToken(token).map(VerifiedToken::user);
    }

    /**
     * Like {@link #verify} but also returns the token's id ({@code jti}) and expiry, which logout
     * needs to blacklist it (docs/product/accounts.md#tokens-and-logout). Does not consult the blacklist.
     */
    public Optional<VerifiedToken> verifyToken(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            if (!ISSUER.equals(claims.getIssuer()) || exp == null || !exp.toInstant().isAfter(clock.instant())) {
                return Optional.empty();
            }
            String cid = claims.getStringClaim("cid");
            String email = claims.getStringClaim("email");
            String role = claims.getStringClaim("role");
            String id = claims.getJWTID();
            if (claims.getSubject() == null || cid == null || email == null || role == null || id == null) {
                return Optional.empty();
            }
            String sid = claims.getStringClaim("sid");
            List<String> amr = claims.getStringListClaim("amr");
            boolean twoFactor = amr != null && amr.contains("otp");
            AuthenticatedUser user = new AuthenticatedUser(UUID.fromString(claims.getSubject()), cid, email, role,
                    sid == null ? null : UUID.fromString(sid), twoFactor);
            return Optional.of(new VerifiedToken(user, id, exp.toInstant()));
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A token that verified: its user, its id ({@code jti}) and when it expires. */
    public record VerifiedToken(AuthenticatedUser user, String id, Instant expiresAt) {}

    /** A serialized JWT, its id ({@code jti}) and when it expires. */
    public record IssuedToken(String token, String id, Instant expiresAt) {}
}
