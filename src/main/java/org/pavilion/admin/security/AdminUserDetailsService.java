package org.pavilion.admin.security;

import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Service;

/** The login form's admins: {@code admin_user} by email. */
@Service
class AdminUserDetailsService implements UserDetailsService {

    private final AdminAccounts accounts;

    AdminUserDetailsService(AdminAccounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public UserDetails loadUserByUsername(String email) {
        return accounts.principal(email).orElseThrow(() -> new UsernameNotFoundException("no such admin"));
    }
}
