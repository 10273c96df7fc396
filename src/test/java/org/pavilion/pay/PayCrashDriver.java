package org.pavilion.pay;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.MarketplaceSettings;
import org.pavilion.marketplace.mturk.MTurkClientFactory;
import org.pavilion.marketplace.mturk.MTurkClientProperties;
import org.pavilion.project.TaskRepository;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.storage.TestDatabases;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The Pavilion that {@link PayCrashRestartTest} kills with SIGKILL in the middle of dispatching pay: the
 * pay ledger and dispatcher as {@code PayConfiguration} wires them, on the test's database, talking real
 * HTTP (SigV4-signed MTurk JSON) to the test's local marketplace. It runs until it is killed.
 *
 * <p>Arguments: jdbcUrl user password marketplaceEndpoint
 */
public final class PayCrashDriver {

    private PayCrashDriver() {
    }

    public static void main(String[] args) throws Exception {
        HikariDataSource dataSource = TestDatabases.pool(args[0], args[1], args[2]);
        PayDispatcher dispatcher = dispatcher(dataSource, URI.create(args[3]), Duration.ofMillis(200));
        dispatcher.start();
        System.out.println("DISPATCHING");
        System.out.flush();
        Thread.currentThread().join(); // until SIGKILL
    }

    /**
     * The pay dispatcher over {@code dataSource}, wired as {@code PayConfiguration} wires it, with an MTurk client
     * for the local marketplace at {@code endpoint} built as {@code MTurkConfiguration} builds it (its static keys).
     * Not started.
     */
    static PayDispatcher dispatcher(DataSource dataSource, URI endpoint, Duration poll) {
        Clock clock = Clock.systemUTC();
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(dataSource);
        JdbcSessionStore store = new JdbcSessionStore(jdbc, transactions);
        MarketplaceSettings settings = new MarketplaceSettings(MarketplaceSettings.Mode.LOCAL, null, "us-east-1", null,
                "arn:aws:sns:us-east-1:000000000000:pavilion-local", new MarketplaceSettings.Local(
                MarketplaceSettings.Local.DEFAULT_ACCESS_KEY_ID, MarketplaceSettings.Local.DEFAULT_SECRET_ACCESS_KEY,
                null, false));
        Marketplace client = new MTurkClientFactory(settings, MTurkClientProperties.defaults(), clock).create(endpoint);
        ObjectProvider<Marketplace> marketplace = new ObjectProvider<>() {
            @Override
            public Marketplace getObject() {
                return client;
            }
        };
        PayLedger ledger = new PayLedger(jdbc, transactions, clock);
        Compensations compensations = new Compensations(jdbc, transactions, store, clock);
        CompensationDispatch compensation = new CompensationDispatch(org.pavilion.marketplace.SessionMarketplace.single(marketplace), compensations, store,
                new TaskRepository(dataSource), clock, Optional.empty(), Duration.ofSeconds(30));
        return new PayDispatcher(org.pavilion.marketplace.SessionMarketplace.single(marketplace), ledger, compensation, clock, poll, Duration.ofSeconds(5),
                new SimpleMeterRegistry());
    }
}
