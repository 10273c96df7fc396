package org.pavilion.queue;

/** A configuration value is out of range; {@link #field()} names it. */
public final class InvalidConfigurationException extends PavilionException {
    private final String field;

    public InvalidConfigurationException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    @Override
    public String code() {
        return "invalid_configuration";
    }
}
