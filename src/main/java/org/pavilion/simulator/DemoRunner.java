package org.pavilion.simulator;

import java.security.SecureRandom;
import java.util.Base64;

import org.pavilion.admin.security.AdminAccounts;
import org.pavilion.queue.Thresholds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * {@code --demo}: a sample project and task live on the local marketplace with simulated
 * workers flowing at a gentle rate, so the admin console shows queues moving within seconds.
 * When no admin exists and {@code PAVILION_ADMIN_EMAIL} is not set, it creates
 * {@code demo@pavilion.local} with a random password printed once to the log (runs before
 * {@link org.pavilion.admin.security.AdminBootstrap}, which then finds an admin and stays quiet).
 */
@Component
@ConditionalOnProperty(name = "demo")
@Order(Ordered.HIGHEST_PRECEDENCE)
public class DemoRunner implements ApplicationRunner, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DemoRunner.class);
    static final String DEMO_ADMIN = "demo@pavilion.local";

    private final SimulationService simulations;
    private final AdminAccounts accounts;
    private final String configuredAdmin;
    private volatile CrowdSimulator simulator;

    public DemoRunner(SimulationService simulations, AdminAccounts accounts,
                      @Value("${pavilion.admin.email:}") String configuredAdmin) {
        this.simulations = simulations;
        this.accounts = accounts;
        this.configuredAdmin = configuredAdmin;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (configuredAdmin.isBlank() && accounts.count() == 0) {
            byte[] bytes = new byte[15];
            new SecureRandom().nextBytes(bytes);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            accounts.createFirst(DEMO_ADMIN, password).ifPresent(a -> log.warn(
                    "Demo admin created: log in at {}/login as {} with password {} (shown only this once)",
                    simulations.base(), DEMO_ADMIN, password));
        }
        SimulationService.Live live = simulations.goLive("Demo project", new Thresholds(1, 1, 3, 3), 10, "demo");
        CrowdSimulator sim = simulations.simulator(live.sessionId(), 30_000, 1_000);
        sim.startContinuous(BehaviourModel.demo(), System.nanoTime(), "DEMO");
        sim.printProgress(log::info, 10_000);
        simulator = sim;
        log.warn("Demo running: session {} is live with simulated workers arriving; watch it at {}/admin/sessions/{}",
                live.sessionId(), simulations.base(), live.sessionId());
    }

    @Override
    public void close() {
        CrowdSimulator sim = simulator;
        if (sim != null) {
            sim.close();
        }
    }
}
