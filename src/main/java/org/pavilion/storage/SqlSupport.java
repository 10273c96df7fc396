package org.pavilion.storage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import org.springframework.jdbc.support.KeyHolder;

/**
 * Small JDBC helpers shared by the repositories. Instants in and out of {@code TIMESTAMP WITH TIME ZONE} columns, the same way on H2 and PostgreSQL:
 * written as UTC {@link OffsetDateTime}, read back with {@code getObject(col, OffsetDateTime.class)}
 * (pgjdbc refuses {@code Instant.class}). Both databases keep microseconds: finer digits are dropped.
 */
public final class SqlSupport {

    private SqlSupport() {
    }

    public static OffsetDateTime toSql(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    public static void set(PreparedStatement ps, int index, Instant at) throws SQLException {
        if (at == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
        }
    }

    public static Instant get(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** The generated {@code id} of a one-row insert made with {@code prepareStatement(sql, new String[] {"id"})}. */
    public static long generatedId(KeyHolder keys) {
        Map<String, Object> row = keys.getKeys();
        if (row != null) {
            for (Map.Entry<String, Object> e : row.entrySet()) {
                if (e.getKey().equalsIgnoreCase("id") && e.getValue() instanceof Number n) {
                    return n.longValue();
                }
            }
        }
        throw new IllegalStateException("the database returned no generated id");
    }

    /** {@code value} cut to at most {@code max} characters (free text must never fail a commit). */
    public static String clip(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        return value.substring(0, max - 1) + "\u2026";
    }
}
