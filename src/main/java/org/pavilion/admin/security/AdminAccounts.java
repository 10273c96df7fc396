package org.pavilion.admin.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.pavilion.storage.SqlSupport;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Repository;

/**
 * Admin accounts ({@code admin_user}) and their API tokens ({@code api_token}). Passwords are
 * kept only as {@link PasswordEncoder} hashes and tokens only as their SHA-256; neither is ever
 * logged.
 */
@Repository
public class AdminAccounts {

    /** A password must have at least this many characters. */
    public static final int MIN_PASSWORD_LENGTH = 12;
    /** bcrypt reads at most 72 bytes of a password. */
    public static final int MAX_PASSWORD_BYTES = 72;
    /** API tokens carry this prefix, so they are recognisable in a config file or a leak scanner. */
    public static final String TOKEN_PREFIX = "pav_";

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$");
    private static final int MAX_EMAIL_LENGTH = 320;
    private static final int MAX_TOKEN_NAME_LENGTH = 100;
    /** last_used_at is written at most this often per token. */
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    /** An admin account as listed (no password hash). */
    public record Admin(long id, String email, Instant createdAt, Long createdBy, String createdByEmail) {
    }

    /** An API token as listed (never the token itself). */
    public record ApiToken(long id, long adminId, String name, Instant createdAt, Instant lastUsedAt) {
    }

    /** A token just made: {@code secret} is shown once and then forgotten. */
    public record NewApiToken(ApiToken token, String secret) {
    }

    private final JdbcTemplate jdbc;
    private final PasswordEncoder passwords;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public AdminAccounts(JdbcTemplate jdbc, PasswordEncoder passwords, Clock clock) {
        this.jdbc = jdbc;
        this.passwords = passwords;
        this.clock = clock;
    }

    // ---- accounts -------------------------------------------------------------------------------

    /** The canonical form of an email: trimmed, lower case. */
    public static String normalizeEmail(String email) {
        return email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
    }

    /** The problems with an email and password, field → message; empty when both are fine. */
    public static Map<String, String> check(String email, String password) {
        Map<String, String> errors = new LinkedHashMap<>();
        String e = normalizeEmail(email);
        if (e.isEmpty()) {
            errors.put("email", "is required");
        } else if (e.length() > MAX_EMAIL_LENGTH || !EMAIL.matcher(e).matches()) {
            errors.put("email", "must be an email address (name@example.org)");
        }
        if (password == null || password.isEmpty()) {
            errors.put("password", "is required");
        } else if (password.codePointCount(0, password.length()) < MIN_PASSWORD_LENGTH) {
            errors.put("password", "must have at least " + MIN_PASSWORD_LENGTH + " characters");
        } else if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            errors.put("password", "must be at most " + MAX_PASSWORD_BYTES + " bytes long");
        } else if (password.isBlank()) {
            errors.put("password", "must not be only spaces");
        }
        return errors;
    }

    public long count() {
        Long n = jdbc.queryForObject("select count(*) from admin_user", Long.class);
        return n == null ? 0 : n;
    }

    /**
     * Adds an admin.
     *
     * @param createdBy the admin who adds this one, or null for the first admin
     * @throws InvalidAdminException when the email or password is not acceptable or the email is taken
     */
    public Admin create(String email, String password, Long createdBy) {
        Map<String, String> errors = check(email, password);
        if (!errors.isEmpty()) {
            throw new InvalidAdminException(errors);
        }
        String e = normalizeEmail(email);
        String hash = passwords.encode(password);
        Instant now = clock.instant();
        KeyHolder keys = new GeneratedKeyHolder();
        try {
            jdbc.update(con -> {
                var ps = con.prepareStatement(
                        "insert into admin_user (email, password_hash, created_at, created_by) values (?, ?, ?, ?)",
                        new String[] {"id"});
                ps.setString(1, e);
                ps.setString(2, hash);
                SqlSupport.set(ps, 3, now);
                if (createdBy == null) {
                    ps.setNull(4, Types.BIGINT);
                } else {
                    ps.setLong(4, createdBy);
                }
                return ps;
            }, keys);
        } catch (DuplicateKeyException dup) {
            throw new InvalidAdminException("email", "an admin with this email already exists");
        }
        long id = SqlSupport.generatedId(keys);
        return find(id).orElseThrow();
    }

    /**
     * Creates the first admin, only when there is none yet.
     *
     * @return the admin, or empty when an admin already existed
     */
    public synchronized Optional<Admin> createFirst(String email, String password) {
        if (count() > 0) {
            return Optional.empty();
        }
        return Optional.of(create(email, password, null));
    }

    public Optional<Admin> find(long id) {
        return jdbc.query(ADMIN_SELECT + " where a.id = ?", AdminAccounts::mapAdmin, id).stream().findFirst();
    }

    public Optional<Admin> findByEmail(String email) {
        return jdbc.query(ADMIN_SELECT + " where a.email = ?", AdminAccounts::mapAdmin, normalizeEmail(email))
                .stream().findFirst();
    }

    /** Every admin, oldest first. */
    public List<Admin> list() {
        return jdbc.query(ADMIN_SELECT + " order by a.id", AdminAccounts::mapAdmin);
    }

    /** The login form's view of an admin: the principal with its password hash. */
    Optional<AdminPrincipal> principal(String email) {
        return jdbc.query("select id, email, password_hash from admin_user where email = ?",
                (rs, row) -> new AdminPrincipal(rs.getLong("id"), rs.getString("email"), rs.getString("password_hash")),
                normalizeEmail(email)).stream().findFirst();
    }

    private static final String ADMIN_SELECT = "select a.id, a.email, a.created_at, a.created_by, c.email as created_by_email"
            + " from admin_user a left join admin_user c on c.id = a.created_by";

    private static Admin mapAdmin(ResultSet rs, int row) throws SQLException {
        long createdBy = rs.getLong("created_by");
        Long by = rs.wasNull() ? null : createdBy;
        return new Admin(rs.getLong("id"), rs.getString("email"), SqlSupport.get(rs, "created_at"), by,
                rs.getString("created_by_email"));
    }

    // ---- API tokens -----------------------------------------------------------------------------

    /**
     * Makes a named API token for an admin. The returned secret is not kept anywhere: only its
     * SHA-256 is stored.
     */
    public NewApiToken createToken(long adminId, String name) {
        String n = name == null ? "" : name.strip();
        if (n.isEmpty()) {
            throw new InvalidAdminException("name", "is required");
        }
        if (n.length() > MAX_TOKEN_NAME_LENGTH) {
            throw new InvalidAdminException("name", "must be at most " + MAX_TOKEN_NAME_LENGTH + " characters");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.update(con -> {
            var ps = con.prepareStatement(
                    "insert into api_token (admin_id, name, token_hash, created_at) values (?, ?, ?, ?)",
                    new String[] {"id"});
            ps.setLong(1, adminId);
            ps.setString(2, n);
            ps.setString(3, hash(secret));
            SqlSupport.set(ps, 4, now);
            return ps;
        }, keys);
        return new NewApiToken(new ApiToken(SqlSupport.generatedId(keys), adminId, n, now, null), secret);
    }

    /** An admin's tokens, oldest first. */
    public List<ApiToken> tokens(long adminId) {
        return jdbc.query("select id, admin_id, name, created_at, last_used_at from api_token where admin_id = ? order by id",
                AdminAccounts::mapToken, adminId);
    }

    /** Revokes one of an admin's tokens; false when the admin has no such token. */
    public boolean revokeToken(long adminId, long tokenId) {
        return jdbc.update("delete from api_token where id = ? and admin_id = ?", tokenId, adminId) == 1;
    }

    /** The admin a bearer token speaks for, if it is a live token; notes when it was used. */
    Optional<AdminPrincipal> authenticateToken(String secret) {
        if (secret == null || !secret.startsWith(TOKEN_PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        String h = hash(secret);
        Optional<Long> tokenId = jdbc.query("select id from api_token where token_hash = ?",
                (rs, row) -> rs.getLong(1), h).stream().findFirst();
        if (tokenId.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        jdbc.update("update api_token set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)",
                SqlSupport.toSql(now), tokenId.get(), SqlSupport.toSql(now.minus(TOUCH_EVERY)));
        return jdbc.query("select a.id, a.email from admin_user a join api_token t on t.admin_id = a.id where t.id = ?",
                (rs, row) -> new AdminPrincipal(rs.getLong("id"), rs.getString("email"), null), tokenId.get())
                .stream().findFirst();
    }

    private static ApiToken mapToken(ResultSet rs, int row) throws SQLException {
        return new ApiToken(rs.getLong("id"), rs.getLong("admin_id"), rs.getString("name"),
                SqlSupport.get(rs, "created_at"), SqlSupport.get(rs, "last_used_at"));
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
