package org.pavilion.admin.security;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

import org.springframework.security.core.CredentialsContainer;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * A logged-in admin (form login or API token): the principal of the {@code Authentication}.
 * Its {@link #getUsername()} is the admin's email, as is {@code Authentication.getName()}.
 */
public final class AdminPrincipal implements UserDetails, CredentialsContainer {

    private static final long serialVersionUID = 1L;

    public static final String ROLE = "ADMIN";
    static final List<GrantedAuthority> AUTHORITIES = List.of(new SimpleGrantedAuthority("ROLE_" + ROLE));

    private final long id;
    private final String email;
    private String passwordHash;

    AdminPrincipal(long id, String email, String passwordHash) {
        this.id = id;
        this.email = Objects.requireNonNull(email);
        this.passwordHash = passwordHash;
    }

    /** The admin's row id in {@code admin_user}. */
    public long id() {
        return id;
    }

    public String email() {
        return email;
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        return AUTHORITIES;
    }

    @Override
    public String getPassword() {
        return passwordHash;
    }

    @Override
    public String getUsername() {
        return email;
    }

    @Override
    public void eraseCredentials() {
        passwordHash = null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdminPrincipal other && other.id == id && other.email.equals(email);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, email);
    }

    @Override
    public String toString() {
        return "AdminPrincipal[" + id + ", " + email + "]";
    }
}
