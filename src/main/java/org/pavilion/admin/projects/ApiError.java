package org.pavilion.admin.projects;

import java.util.Map;

/**
 * The admin API's error body: a stable machine-readable {@code error} code, a sentence for people,
 * and one message per bad field (empty unless the request failed validation).
 */
public record ApiError(String error, String message, Map<String, String> fields) {

    public ApiError {
        fields = fields == null ? Map.of() : fields;
    }

    public static ApiError of(String error, String message) {
        return new ApiError(error, message, Map.of());
    }
}
