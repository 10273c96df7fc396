package org.pavilion.realtime;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Short signed tokens (JWT, HMAC-SHA256 with the server secret) that prove who a real-time
 * connection speaks for: a worker page served by Pavilion carries one for its worker and
 * assignment, an admin page one for its admin. Anything unsigned, forged, expired or of the
 * wrong kind verifies as empty.
 */
public final class SignedTokens {

    private static final String KIND = "kind";

    private final MACSigner signer;
    private final MACVerifier verifier;
    private final Clock clock;

    public SignedTokens(byte[] secret, Clock clock) {
        try {
            this.signer = new MACSigner(secret);
            this.verifier = new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the server secret must be at least 32 bytes", e);
        }
        this.clock = clock;
    }

    public String workerToken(WorkerIdentity id, Duration ttl) {
        return sign(new JWTClaimsSet.Builder().claim(KIND, "worker").subject(id.workerId())
                .claim("sid", id.sessionId()).claim("aid", id.assignmentId()).claim("hid", id.hitId()), ttl);
    }

    public Optional<WorkerIdentity> verifyWorker(String token) {
        return claims(token, "worker").flatMap(c -> {
            try {
                Long sid = c.getLongClaim("sid");
                String aid = c.getStringClaim("aid");
                if (sid == null || c.getSubject() == null || aid == null) {
                    return Optional.empty();
                }
                return Optional.of(new WorkerIdentity(sid, c.getSubject(), aid, c.getStringClaim("hid")));
            } catch (ParseException e) {
                return Optional.empty();
            }
        });
    }

    public String adminToken(String admin, Duration ttl) {
        return sign(new JWTClaimsSet.Builder().claim(KIND, "admin").subject(admin), ttl);
    }

    /** The admin's name, if the token is a valid admin token. */
    public Optional<String> verifyAdmin(String token) {
        return claims(token, "admin").map(JWTClaimsSet::getSubject);
    }

    private String sign(JWTClaimsSet.Builder claims, Duration ttl) {
        Instant now = clock.instant();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                claims.issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl))).build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }

    private Optional<JWTClaimsSet> claims(String token, String kind) {
        if (token == null || token.isBlank() || token.length() > 4096) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            if (expires == null || !expires.toInstant().isAfter(clock.instant())
                    || !kind.equals(claims.getStringClaim(KIND))) {
                return Optional.empty();
            }
            return Optional.of(claims);
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
