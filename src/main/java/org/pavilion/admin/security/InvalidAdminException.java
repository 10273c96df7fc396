package org.pavilion.admin.security;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** An admin account or API token that cannot be made as asked: a message per field. */
public class InvalidAdminException extends RuntimeException {

    private final Map<String, String> errors;

    public InvalidAdminException(Map<String, String> errors) {
        super("invalid: " + String.join(", ", errors.keySet()));
        this.errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    public InvalidAdminException(String field, String message) {
        this(Map.of(field, message));
    }

    /** Field name → message (never contains a password). */
    public Map<String, String> errors() {
        return errors;
    }
}
