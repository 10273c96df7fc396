package org.pavilion.simulator;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.pavilion.queue.Thresholds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * {@code java -jar pavilion.jar --simulate [--sim.workers=30 --sim.seed=1 ...]}: runs this
 * Pavilion with a crowd of simulated workers against a fresh task gone live on the local
 * marketplace, prints a progress line every 10 seconds and a final report (with a healthy/unhealthy verdict
 * that says what it checked), then exits: with status 0 for a healthy run, 2 for an unhealthy one, 1 on failure.
 */
@Component
@ConditionalOnProperty(name = "simulate")
@Order(100)
public class SimulateCommand implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(SimulateCommand.class);

    private final SimulationService simulations;
    private final Environment env;
    private final ConfigurableApplicationContext context;

    public SimulateCommand(SimulationService simulations, Environment env, ConfigurableApplicationContext context) {
        this.simulations = simulations;
        this.env = env;
        this.context = context;
    }

    /** The behaviour model from {@code sim.*} properties. */
    static BehaviourModel model(Environment env) {
        return new BehaviourModel(env.getProperty("sim.arrivals-per-minute", Double.class, 30.0),
                env.getProperty("sim.patience-ms", Double.class, 30_000.0),
                env.getProperty("sim.work-ms", Double.class, 20_000.0),
                env.getProperty("sim.submit", Double.class, 0.7), env.getProperty("sim.return", Double.class, 0.15),
                env.getProperty("sim.abandon", Double.class, 0.1), env.getProperty("sim.reload", Double.class, 0.1),
                env.getProperty("sim.drop", Double.class, 0.05));
    }

    static Thresholds thresholds(Environment env) {
        return new Thresholds(env.getProperty("sim.min-active", Integer.class, 1),
                env.getProperty("sim.min-waiting", Integer.class, 1),
                env.getProperty("sim.max-active", Integer.class, 3),
                env.getProperty("sim.max-waiting", Integer.class, 3));
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        int exit = 0;
        try {
            int workers = env.getProperty("sim.workers", Integer.class, 30);
            long seed = env.getProperty("sim.seed", Long.class, 1L);
            int grace = env.getProperty("sim.grace-seconds", Integer.class, 5);
            BehaviourModel model = model(env);
            List<WorkerPlan> plan = SimulationPlan.generate(model, workers, seed, "SIM" + seed + "W");
            SimulationService.Live live = simulations.goLive("Simulation (seed " + seed + ")", thresholds(env), grace,
                    "simulator");
            System.out.println("[sim] " + workers + " workers, seed " + seed + ", " + model + "; session "
                    + live.sessionId() + " at " + simulations.base() + "/admin/sessions/" + live.sessionId());
            try (CrowdSimulator sim = simulations.simulator(live.sessionId(),
                    env.getProperty("sim.no-hit-wait-ms", Long.class, 10_000L),
                    env.getProperty("sim.reload-gap-ms", Long.class, 500L))) {
                sim.printProgress(System.out::println, env.getProperty("sim.progress-ms", Long.class, 10_000L));
                long lastArrival = plan.isEmpty() ? 0 : plan.get(plan.size() - 1).arriveAtMs();
                long bound = lastArrival + 20 * (long) (model.meanPatienceMs() + model.meanWorkMs()) + 60_000;
                sim.start(plan).get(bound, TimeUnit.MILLISECONDS);
                if (!simulations.awaitSettled(sim, Duration.ofSeconds(grace + 30L))) {
                    System.out.println("[sim] the server had not settled every worker in time");
                }
                System.out.println(sim.progressLine());
                SimulationReport report = simulations.report(sim, workers);
                System.out.print(report.text());
                exit = report.healthy() ? 0 : 2;
            }
        } catch (Exception e) {
            log.error("The simulation failed", e);
            exit = 1;
        }
        if (env.getProperty("sim.exit", Boolean.class, true)) {
            int code = exit;
            System.exit(SpringApplication.exit(context, () -> code));
        }
    }
}
