package org.pavilion.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL connection given in the Heroku form {@code postgres://user:password@host:port/database}
 * (also {@code postgresql://}, with an optional {@code ?sslmode=require&...} query), turned into what
 * JDBC wants: a URL without credentials, a user name and a password.
 *
 * <p>The query string is passed on to the JDBC URL unchanged (pgjdbc understands {@code sslmode},
 * {@code sslrootcert}, {@code ApplicationName}, ...). A {@code jdbc:postgresql:} URL is accepted as is.
 * {@link #toString()} never shows the password; nothing here logs it.
 */
public record DatabaseUrl(String jdbcUrl, String username, String password, String host, int port, String database) {

    private static final int DEFAULT_PORT = 5432;

    /**
     * Parses a {@code DATABASE_URL}. Throws {@link IllegalArgumentException} with a message that
     * names what is wrong (never the password) when the value is not a PostgreSQL URL.
     */
    public static DatabaseUrl parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("DATABASE_URL is empty");
        }
        String url = value.trim();
        if (url.startsWith("jdbc:postgresql:")) {
            return fromJdbc(url);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("DATABASE_URL is not a valid URL (expected "
                    + "postgres://user:password@host:port/database): " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("postgres") || scheme.equals("postgresql"))) {
            throw new IllegalArgumentException("DATABASE_URL must start with postgres:// or postgresql:// (was "
                    + (scheme == null ? "no scheme" : scheme + "://") + ")");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("DATABASE_URL has no host name");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        String path = uri.getRawPath();
        String database = path == null || path.length() <= 1 ? "" : decode(path.substring(1));
        if (database.isEmpty() || database.contains("/")) {
            throw new IllegalArgumentException("DATABASE_URL must name one database after the host, as in "
                    + "postgres://user:password@host:5432/database");
        }
        String username = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                username = decode(userInfo);
            } else {
                username = decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            }
            if (username.isEmpty()) {
                username = null;
            }
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://");
        jdbc.append(host).append(':').append(port).append('/').append(encodePathSegment(database));
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            jdbc.append('?').append(uri.getRawQuery());
        }
        return new DatabaseUrl(jdbc.toString(), username, password, host, port, database);
    }

    private static DatabaseUrl fromJdbc(String url) {
        String host = "";
        int port = DEFAULT_PORT;
        String database = "";
        try {
            URI uri = new URI(url.substring("jdbc:".length()));
            if (uri.getHost() != null) {
                host = uri.getHost();
            }
            if (uri.getPort() != -1) {
                port = uri.getPort();
            }
            if (uri.getRawPath() != null && uri.getRawPath().length() > 1) {
                database = decode(uri.getRawPath().substring(1));
            }
        } catch (URISyntaxException e) {
            // pgjdbc accepts forms java.net.URI does not (several hosts); keep the URL as given
        }
        return new DatabaseUrl(url, null, null, host, port, database);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encodePathSegment(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Where it points, for logs: host, port and database, no credentials. */
    public String describe() {
        return "PostgreSQL database '" + database + "' at " + host + ":" + port;
    }

    @Override
    public String toString() {
        return "DatabaseUrl[jdbcUrl=" + jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1******") + ", username=" + username + ", password="
                + (password == null ? "null" : "******") + "]";
    }
}
