package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.pay.BonusLedger;
import org.pavilion.queue.Thresholds;
import org.pavilion.tasklogic.TaskContext;
import org.pavilion.tasklogic.TaskLogic;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** A researcher's own task logic, added as a bean: it gets its events and can award bonuses. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class TaskLogicTest extends RealtimeTestSupport {

    /** Pays the sender the cents it names for a "round" it finished (a toy game). */
    @TestConfiguration
    static class RoundBonus {
        @Bean
        TaskLogic roundBonus() {
            return new TaskLogic() {
                @Override
                public Set<String> events() {
                    return Set.of("round_done");
                }

                @Override
                public void onEvent(TaskContext context, String event, JSONObject payload) {
                    String token = context.awardBonus(context.workerId(), payload.optInt("cents", 0), "round done");
                    context.reply("round_paid", new JSONObject().put("token", token));
                }
            };
        }
    }

    @Autowired
    BonusLedger bonuses;

    @Test
    void taskLogicAwardsBonusesThroughTheLedger() throws Exception {
        long s = openSession(new Thresholds(1, 0, 2, 2), 30, "HIT-BONUS");
        ProtocolClient w1 = seedPage("w1", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-BONUS"));
        w1.expect("start_your_task");
        w1.expect("update_worker_count", "{count:0,max_count:2}");
        w1.expect("workers_status", "{waiting:0,active:1}");

        w1.emit("round_done", new JSONObject().put("cents", 25));
        String token = w1.expect("round_paid").getString("token");
        assertThat(token).startsWith("pav-").endsWith("-s" + s + "-t" + bonuses.forSession(s).get(0).id())
                .hasSizeLessThanOrEqualTo(64);
        assertThat(bonuses.forSession(s)).singleElement().satisfies(b -> {
            assertThat(b.workerId()).isEqualTo("w1");
            assertThat(b.cents()).isEqualTo(25);
            assertThat(b.state()).isEqualTo("REQUESTED");
        });

        w1.emit("round_done", new JSONObject().put("cents", 1_000_000));
        assertThat(w1.expect("error").getString("message")).contains("cents");
        assertThat(bonuses.forSession(s)).hasSize(1);
    }
}
