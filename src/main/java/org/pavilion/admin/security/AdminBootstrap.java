package org.pavilion.admin.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The first admin. There is no open registration: when Pavilion starts and no admin exists, it
 * either creates one from {@code PAVILION_ADMIN_EMAIL} / {@code PAVILION_ADMIN_PASSWORD}
 * (properties {@code pavilion.admin.email} / {@code pavilion.admin.password}), or, when those are
 * not set, prints one setup link to the log: {@code http://localhost:<port>/setup?token=<random>}.
 * The link's token is valid until it is used or Pavilion restarts; it works only while there is
 * no admin. Once an admin exists, both are ignored.
 */
@Component
public class AdminBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final AdminAccounts accounts;
    private final Environment environment;
    private final String email;
    private final String password;
    private final SecureRandom random = new SecureRandom();
    /** The current one-time setup token, or null (none printed, or used). */
    private final AtomicReference<String> setupToken = new AtomicReference<>();

    public AdminBootstrap(AdminAccounts accounts, Environment environment,
                          @Value("${pavilion.admin.email:}") String email,
                          @Value("${pavilion.admin.password:}") String password) {
        this.accounts = accounts;
        this.environment = environment;
        this.email = email;
        this.password = password;
    }

    @Override
    public void run(ApplicationArguments args) {
        bootstrap();
    }

    /**
     * Creates the first admin from the configuration, or prints a setup link, when no admin
     * exists. Does nothing when one does.
     *
     * @throws IllegalStateException when the configured first admin is not acceptable (Pavilion
     *         then refuses to start, rather than start with no way in)
     */
    public synchronized void bootstrap() {
        if (accounts.count() > 0) {
            if (!email.isBlank()) {
                log.info("Admin accounts exist: PAVILION_ADMIN_EMAIL / PAVILION_ADMIN_PASSWORD are not used");
            }
            return;
        }
        if (!email.isBlank() || !password.isEmpty()) {
            Map<String, String> errors = AdminAccounts.check(email, password);
            if (!errors.isEmpty()) {
                StringBuilder why = new StringBuilder();
                errors.forEach((field, message) -> why.append(why.length() == 0 ? "" : "; ")
                        .append(field.equals("email") ? "PAVILION_ADMIN_EMAIL" : "PAVILION_ADMIN_PASSWORD")
                        .append(' ').append(message));
                throw new IllegalStateException("Cannot create the first admin: " + why);
            }
            Optional<AdminAccounts.Admin> created = accounts.createFirst(email, password);
            created.ifPresent(a -> log.info("Created the first admin account {} from PAVILION_ADMIN_EMAIL / "
                    + "PAVILION_ADMIN_PASSWORD", a.email()));
            return;
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        setupToken.set(token);
        log.warn("No admin account exists yet. Create the first admin at: {} "
                + "(this link works once, until Pavilion restarts; or set PAVILION_ADMIN_EMAIL and "
                + "PAVILION_ADMIN_PASSWORD)", setupUrl(token));
    }

    /** True while a setup link is valid: no admin exists and the token is the printed one. */
    boolean setupTokenValid(String token) {
        String current = setupToken.get();
        return current != null && token != null && accounts.count() == 0
                && MessageDigest.isEqual(current.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    /** Uses up the setup token; true for exactly one caller presenting the valid token. */
    boolean consumeSetupToken(String token) {
        String current = setupToken.get();
        return setupTokenValid(token) && setupToken.compareAndSet(current, null);
    }

    /** Gives a token back after its use failed (the admin could not be created). */
    void restoreSetupToken(String token) {
        setupToken.compareAndSet(null, token);
    }

    /** The setup link currently valid, if any (tests; the log has it too). */
    public Optional<String> setupLink() {
        String token = setupToken.get();
        return token == null || accounts.count() > 0 ? Optional.empty() : Optional.of(setupUrl(token));
    }

    private String setupUrl(String token) {
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        String contextPath = environment.getProperty("server.servlet.context-path", "");
        if (contextPath.endsWith("/")) {
            contextPath = contextPath.substring(0, contextPath.length() - 1);
        }
        return "http://localhost:" + port + contextPath + "/setup?token=" + token;
    }
}
