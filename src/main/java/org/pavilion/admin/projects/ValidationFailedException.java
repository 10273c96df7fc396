package org.pavilion.admin.projects;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.pavilion.queue.PavilionException;

/** A form or request body failed validation; {@link #fields()} gives one message per bad field. Nothing was saved. */
public final class ValidationFailedException extends PavilionException {

    private final Map<String, String> fields;

    public ValidationFailedException(Map<String, String> fields) {
        super(fields.size() == 1 ? "1 field is invalid" : fields.size() + " fields are invalid");
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("no field is invalid");
        }
    }

    /** Field name → message, in the form's order. */
    public Map<String, String> fields() {
        return fields;
    }

    @Override
    public String code() {
        return "validation_failed";
    }
}
