package org.pavilion.admin.export;

import java.util.Arrays;
import java.util.List;

/**
 * A minimal RFC 4180 CSV writer: fields separated by commas, records ended by CRLF; a field that
 * holds a comma, a double quote, CR or LF is enclosed in double quotes with each quote doubled;
 * null is an empty field. Nothing is trimmed.
 *
 * <p>Formula injection (OWASP "CSV Injection"): a spreadsheet opening the file runs a cell that
 * starts with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return as a formula, and
 * worker ids, assignment ids and details come from outside. Such a text cell is written with a
 * single quote in front ({@code '}) and quoted, so it is shown as text. Numbers ({@link Number}
 * values, which is how Pavilion passes its own numeric columns: sequence numbers, seconds, cents)
 * are written as they are, so they stay numbers in a spreadsheet even if one were negative; only
 * text is neutralised (a worker id {@code -5} is text and gets the quote).
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
        if (!(value instanceof Number) && startsLikeAFormula(s)) {
            s = "'" + s;
            b.append('"');
            appendQuoted(b, s);
            b.append('"');
            return;
        }
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
        appendQuoted(b, s);
        b.append('"');
    }

    /** The text inside a quoted field: each double quote doubled. */
    private static void appendQuoted(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                b.append('"');
            }
            b.append(c);
        }
    }

    /** Whether a spreadsheet would take this text for a formula (OWASP's list of first characters). */
    static boolean startsLikeAFormula(String s) {
        if (s.isEmpty()) {
            return false;
        }
        char first = s.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
    }
}
