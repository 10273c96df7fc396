package org.pavilion.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pavilion.PavilionApplication;
import org.pavilion.testing.ExcludeTestConfigurations;
import org.pavilion.marketplace.local.FaultInjector;
import org.pavilion.marketplace.mturk.LazyMarketplace;
import org.pavilion.marketplace.mturk.MTurkClient;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Thresholds;
import org.pavilion.session.HireRequest;
import org.pavilion.session.LiveSessionService;
import org.pavilion.storage.JdbcSessionStore;
import org.pavilion.testing.ConfirmedArrivals;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;

/**
 * Issue 13 item 10: a restart with a hire pending. Pavilion runs on an H2 file database, bound to
 * {@code 127.0.0.1} on a random port, in local mode. A session goes live, the local marketplace's
 * CreateHITWithHITType fails (503, fault injection), one hire is decided and stays pending; Pavilion stops
 * and starts again on the same data directory. The pending hire is sent once the web server listens, to
 * the local marketplace on the port it really bound (and its configured address), and the server opens
 * that one port only: nothing asks the web server for its port before it has started (which makes an
 * embedded Tomcat open a default connector on 8080, on every address).
 */
class HireAfterRestartTest {

    @TempDir
    Path dataDir;

    /** One start of Pavilion, with the local marketplace's API calls it served (operation, port, time). */
    record Run(ConfigurableApplicationContext context, List<Call> calls, long[] listeningAt) implements AutoCloseable {
        int port() {
            return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        }

        <T> T bean(Class<T> type) {
            return context.getBean(type);
        }

        @Override
        public void close() {
            context.close();
        }
    }

    record Call(String operation, int localPort, long atNanos) {
    }

    @Test
    void aHirePendingAtARestartIsSentOnceTheServerListensOnItsOwnAddressAndPort() throws Exception {
        long session;
        int attemptsBefore;
        try (Run first = start()) {
            MarketplaceService market = first.bean(MarketplaceService.class);
            long project = first.bean(ProjectRepository.class).create("Restart", "", Instant.now()).id();
            long task = first.bean(TaskRepository.class).create(project, TaskSettings.basic("Steer a robot together",
                    "A live task for several workers", "http://127.0.0.1:" + first.port() + "/waiting_task", 50,
                    new Thresholds(1, 0, 2, 2)), Instant.now()).id();
            session = market.goLive(task, "admin@lab").sessionId();

            first.bean(FaultInjector.class).failNext("CreateHITWithHITType", 100_000, FaultInjector.Fault.HTTP_503);
            LiveSessionService sessions = first.bean(LiveSessionService.class);
            ConfirmedArrivals.arrive(sessions, session, "A", "asg-A", "worker:A");
            sessions.apply(session, new QueueEvent.Leave("A", null, QueueEvent.Departure.SUBMIT), "worker:A");
            JdbcSessionStore store = first.bean(JdbcSessionStore.class);
            long s = session;
            await().atMost(Duration.ofSeconds(20)).until(() -> store.hireRequests(s).size() == 1
                    && store.hireRequests(s).get(0).attempts() >= 1);
            HireRequest pending = store.hireRequests(session).get(0);
            assertThat(pending.state()).as(pending.toString()).isIn(HireRequest.State.REQUESTED,
                    HireRequest.State.SENT);
            attemptsBefore = pending.attempts();
        }

        try (Run second = start()) {
            int port = second.port();
            // The port the server reports is its first connector's: a default one on 8080 would come first.
            assertThat(port).as("a random port, not a default connector's").isNotEqualTo(8080);
            JdbcSessionStore store = second.bean(JdbcSessionStore.class);
            long s = session;
            // Sent after the restart: it leaves the outbox (the restarted local marketplace is empty, so it
            // refuses the session's HIT type, which only the marketplace itself can answer).
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HireRequest h = store.hireRequests(s).get(0);
                assertThat(h.state()).as(h.toString()).isIn(HireRequest.State.DONE, HireRequest.State.FAILED);
                assertThat(h.attempts()).isGreaterThan(attemptsBefore);
            });
            assertThat(second.calls()).extracting(Call::operation).contains("CreateHITWithHITType");
            assertThat(second.listeningAt()[0]).as("the web server reported its port").isPositive();
            for (Call c : second.calls()) {
                assertThat(c.localPort()).as(c.operation() + " on the server's own port").isEqualTo(port);
                assertThat(c.atNanos()).as(c.operation() + " after the server listened")
                        .isGreaterThanOrEqualTo(second.listeningAt()[0]);
            }

            // The marketplace's endpoint is this server's own address and bound port.
            LazyMarketplace lazy = second.bean(LazyMarketplace.class);
            assertThat(lazy.resolved()).isTrue();
            assertThat(((MTurkClient) lazy.delegate()).endpoint())
                    .isEqualTo(URI.create("http://127.0.0.1:" + port + "/local-mturk/"));

            // One connector, on that port: no default one on 8080.
            TomcatWebServer tomcat = (TomcatWebServer) ((WebServerApplicationContext) second.context()).getWebServer();
            Connector[] connectors = tomcat.getTomcat().getService().findConnectors();
            assertThat(connectors).hasSize(1);
            assertThat(connectors[0].getLocalPort()).isEqualTo(port);
        }
    }

    private Run start() {
        List<Call> calls = new CopyOnWriteArrayList<>();
        long[] listeningAt = new long[1];
        SpringApplication app = new SpringApplication(PavilionApplication.class);
        ExcludeTestConfigurations.applyTo(app);
        app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("localMarketplaceCallLog", new CallLog(calls)));
        app.addListeners((ApplicationListener<WebServerInitializedEvent>) e -> {
            if (e.getApplicationContext().getServerNamespace() == null) {
                listeningAt[0] = System.nanoTime();
            }
        });
        ConfigurableApplicationContext context = app.run("--server.port=0", "--server.address=127.0.0.1",
                "--pavilion.data-dir=" + dataDir, "--pavilion.database.embedded=file",
                "--pavilion.marketplace.mode=local", "--pavilion.marketplace.hire-poll=200ms",
                "--pavilion.marketplace.hire-max-backoff=500ms", "--pavilion.marketplace.client.max-attempts=1");
        return new Run(context, calls, listeningAt);
    }

    /** Notes each local MTurk API call this server serves: its operation, the port it came in on, when. */
    static final class CallLog implements Filter, Ordered {
        private final List<Call> calls;

        CallLog(List<Call> calls) {
            this.calls = calls;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (request instanceof HttpServletRequest http && http.getRequestURI().startsWith("/local-mturk")) {
                String target = http.getHeader("X-Amz-Target");
                if (target != null) {
                    calls.add(new Call(target.substring(target.indexOf('.') + 1), http.getLocalPort(),
                            System.nanoTime()));
                }
            }
            chain.doFilter(request, response);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }
}
