package org.pavilion.storage;

import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * How long a statement on PostgreSQL may wait for a lock (issue 13: a database stall). Every pooled connection
 * gets {@code SET lock_timeout} through HikariCP's {@code connectionInitSql} ({@value #PROPERTY}, default
 * {@value #DEFAULT}; {@code 0} waits for ever, PostgreSQL's own default), unless
 * {@code spring.datasource.hikari.connection-init-sql} is configured already.
 *
 * <p>Without it a statement waits as long as the lock is held (a table locked by a migration, a
 * {@code VACUUM FULL}, an operator's session left open), holding its thread and its pooled connection: the group
 * commit and with it every session's acknowledgements, the SNS intake's requests and the admin's pages all hung
 * for the whole stall. With it such a statement fails after the timeout and nothing of it is kept: the events of
 * that commit are refused (their workers are told to try again), the SNS intake answers 503 (SNS delivers
 * again), an admin page answers 503 "the database is busy". H2 behaves so already: its lock timeout is 2 s by
 * default.
 *
 * <p>Applied to the DataSource bean itself (not to the configuration), so it holds however the database was
 * chosen: {@code spring.datasource.url}, {@code DATABASE_URL}, or a test's dynamic properties.
 */
@Component
public class LockTimeout implements BeanPostProcessor, EnvironmentAware {

    private static final Logger log = LoggerFactory.getLogger(LockTimeout.class);

    public static final String PROPERTY = "pavilion.database.lock-timeout";
    public static final String DEFAULT = "2s";

    private Duration timeout = Duration.ofSeconds(2);

    @Override
    public void setEnvironment(Environment environment) {
        this.timeout = parse(environment.getProperty(PROPERTY, DEFAULT));
    }

    /** A duration ({@code 2s}, {@code 500ms}, or milliseconds), not negative. */
    static Duration parse(String text) {
        Duration d;
        try {
            d = DurationStyle.detectAndParse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + " must be a duration such as 2s or 500ms (was '" + text + "')",
                    e);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(PROPERTY + " must not be negative (was '" + text + "')");
        }
        return d;
    }

    /** The statement that sets the timeout on a new PostgreSQL connection. */
    static String initSql(Duration timeout) {
        return "SET lock_timeout = '" + timeout.toMillis() + "ms'";
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource ds) {
            apply(ds, timeout);
        }
        return bean;
    }

    /** Sets the timeout on a pool that has not started yet; false when it is not PostgreSQL or configured otherwise. */
    static boolean apply(HikariDataSource ds, Duration timeout) {
        String url = ds.getJdbcUrl();
        if (url == null || !url.strip().startsWith("jdbc:postgresql:")) {
            return false;
        }
        if (ds.getConnectionInitSql() != null && !ds.getConnectionInitSql().isBlank()) {
            log.info("PostgreSQL lock timeout not set: spring.datasource.hikari.connection-init-sql is configured");
            return false;
        }
        if (timeout.isZero()) {
            log.info("PostgreSQL statements wait for locks for ever ({}=0)", PROPERTY);
            return false;
        }
        ds.setConnectionInitSql(initSql(timeout));
        log.info("PostgreSQL lock_timeout {} ms on every pooled connection ({})", timeout.toMillis(), PROPERTY);
        return true;
    }
}
