package org.pavilion.admin.security;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pavilion.realtime.SignedTokens;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin REST API for accounts, tokens and the admin's Socket.IO token (session cookie with
 * CSRF token, or {@code Authorization: Bearer <API token>}):
 *
 * <ul>
 * <li>{@code GET /api/admin/me} → {@code {"id", "email"}}</li>
 * <li>{@code GET /api/admin/admins} → {@code [{"id", "email", "createdAt", "createdBy"}]}</li>
 * <li>{@code POST /api/admin/admins {"email", "password"}} → 201 the new admin; 400
 *     {@code {"errors": {field: message}}}</li>
 * <li>{@code GET /api/admin/tokens} → the caller's tokens (never their secrets)</li>
 * <li>{@code POST /api/admin/tokens {"name"}} → 201 {@code {"id", "name", "createdAt", "token"}}
 *     (the token is shown this once)</li>
 * <li>{@code DELETE /api/admin/tokens/{id}} → 204, or 404</li>
 * <li>{@code GET /api/admin/sessions/{id}/socket-token} → {@code {"token", "session"}}: an admin
 *     token, valid one hour, that the live view's Socket.IO connection presents as
 *     {@code auth.adminToken} with {@code auth.session} (a string)</li>
 * </ul>
 */
@RestController
@RequestMapping(path = "/api/admin", produces = MediaType.APPLICATION_JSON_VALUE)
class AdminsApiController {

    static final Duration SOCKET_TOKEN_TTL = Duration.ofHours(1);

    record NewAdmin(String email, String password) {
    }

    record NewToken(String name) {
    }

    private final AdminAccounts accounts;
    private final CurrentAdmin current;
    private final SignedTokens signedTokens;

    AdminsApiController(AdminAccounts accounts, CurrentAdmin current, SignedTokens signedTokens) {
        this.accounts = accounts;
        this.current = current;
        this.signedTokens = signedTokens;
    }

    @GetMapping("/me")
    Map<String, Object> me() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", current.id().orElse(null));
        body.put("email", current.requireEmail());
        return body;
    }

    @GetMapping("/admins")
    List<Map<String, Object>> admins() {
        return accounts.list().stream().map(AdminsApiController::json).toList();
    }

    @PostMapping(path = "/admins", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> addAdmin(@RequestBody(required = false) NewAdmin body) {
        NewAdmin b = body == null ? new NewAdmin(null, null) : body;
        AdminAccounts.Admin added = accounts.create(b.email(), b.password(), current.id().orElse(null));
        return ResponseEntity.status(HttpStatus.CREATED).body(json(added));
    }

    @GetMapping("/tokens")
    List<Map<String, Object>> tokens() {
        return current.id().map(accounts::tokens).orElse(List.of()).stream().map(AdminsApiController::json).toList();
    }

    @PostMapping(path = "/tokens", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> createToken(@RequestBody(required = false) NewToken body) {
        long me = current.id().orElseThrow(() -> new InvalidAdminException("admin",
                "only an admin account can have API tokens"));
        AdminAccounts.NewApiToken made = accounts.createToken(me, body == null ? null : body.name());
        Map<String, Object> json = json(made.token());
        json.put("token", made.secret());
        return ResponseEntity.status(HttpStatus.CREATED).body(json);
    }

    @DeleteMapping("/tokens/{id}")
    ResponseEntity<Void> revokeToken(@PathVariable long id) {
        boolean revoked = current.id().map(me -> accounts.revokeToken(me, id)).orElse(false);
        return revoked ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build();
    }

    /** For the live view: proves to the Socket.IO channel that its connection is this admin's. */
    @GetMapping("/sessions/{id}/socket-token")
    Map<String, Object> socketToken(@PathVariable long id) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", signedTokens.adminToken(current.requireEmail(), SOCKET_TOKEN_TTL));
        body.put("session", id);
        return body;
    }

    @ExceptionHandler(InvalidAdminException.class)
    ResponseEntity<Map<String, Object>> invalid(InvalidAdminException e) {
        return ResponseEntity.badRequest().body(Map.of("errors", e.errors()));
    }

    private static Map<String, Object> json(AdminAccounts.Admin a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("email", a.email());
        m.put("createdAt", iso(a.createdAt()));
        m.put("createdBy", a.createdByEmail());
        return m;
    }

    private static Map<String, Object> json(AdminAccounts.ApiToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("createdAt", iso(t.createdAt()));
        m.put("lastUsedAt", iso(t.lastUsedAt()));
        return m;
    }

    private static String iso(Instant at) {
        return at == null ? null : at.toString();
    }
}
