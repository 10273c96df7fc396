package org.pavilion.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pavilion.admin.security.AdminAccounts;
import org.pavilion.session.LiveSessionService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** {@code --demo}: a demo admin, a sample task live, and simulated workers joining within seconds. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"pavilion.database.embedded=mem", "demo="})
class DemoModeTest {

    @Autowired
    AdminAccounts accounts;
    @Autowired
    LiveSessionService sessions;
    @Autowired
    DemoRunner demo;

    @Test
    void theDemoHasAnAdminALiveSessionAndWorkersFlowing() throws Exception {
        assertThat(accounts.findByEmail(DemoRunner.DEMO_ADMIN)).isPresent();
        assertThat(accounts.count()).isEqualTo(1);
        List<Long> live = sessions.sessionIds();
        assertThat(live).hasSize(1);
        long s = live.get(0);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline && !sessions.snapshot(s).started()) {
            Thread.sleep(100);
        }
        assertThat(sessions.snapshot(s).started()).as("simulated workers joined and the session started").isTrue();
        assertThat(sessions.snapshot(s).workers()).isNotEmpty();
        demo.close();
    }
}
