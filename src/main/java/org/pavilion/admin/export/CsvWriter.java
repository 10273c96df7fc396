package org.pavilion.admin.export;

import java.util.Arrays;
import java.util.List;

/**
 * A minimal RFC 4180 CSV writer: fields separated by commas, records ended by CRLF; a field that
 * holds a comma, a double quote, CR or LF is enclosed in double quotes with each quote doubled;
 * null is an empty field. Values are written exactly as they are (nothing is trimmed or altered).
 */
public final class CsvWriter {

    private final StringBuilder out = new StringBuilder();

    /** Appends one record. */
    public CsvWriter row(List<?> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            appendField(out, fields.get(i));
        }
        out.append("\r\n");
        return this;
    }

    public CsvWriter row(Object... fields) {
        return row(Arrays.asList(fields));
    }

    /** The records written so far. */
    @Override
    public String toString() {
        return out.toString();
    }

    /** One field, quoted when needed. */
    public static String field(Object value) {
        StringBuilder b = new StringBuilder();
        appendField(b, value);
        return b.toString();
    }

    private static void appendField(StringBuilder b, Object value) {
        if (value == null) {
            return;
        }
        String s = value.toString();
        boolean quote = false;
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            b.append(s);
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                b.append('"');
            }
            b.append(c);
        }
        b.append('"');
    }
}
