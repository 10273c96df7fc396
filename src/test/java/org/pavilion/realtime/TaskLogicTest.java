package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.pay.BonusLedger;
import org.pavilion.queue.Thresholds;
import org.pavilion.storage.TaskDataStore;
import org.pavilion.tasklogic.TaskContext;
import org.pavilion.tasklogic.TaskRecord;
import org.pavilion.tasklogic.TaskLogic;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** A researcher's own task logic, added as a bean: it gets its events and can award bonuses. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pavilion.database.embedded=mem")
class TaskLogicTest extends RealtimeTestSupport {

    /** Pays the sender the cents it names for a "round" it finished (a toy game); keeps "notes" as task data. */
    @TestConfiguration
    static class RoundBonus {
        @Bean
        TaskLogic notes() {
            return new TaskLogic() {
                @Override
                public Set<String> events() {
                    return Set.of("note");
                }

                @Override
                public void onEvent(TaskContext context, String event, JSONObject payload) {
                    context.record(payload.optString("kind", "note"), payload); // whatever the page sent
                    context.reply("noted", new JSONObject().put("ok", true));
                }
            };
        }

        @Bean
        TaskLogic roundBonus() {
            return new TaskLogic() {
                @Override
                public Set<String> events() {
                    return Set.of("round_done");
                }

                @Override
                public void onEvent(TaskContext context, String event, JSONObject payload) {
                    // The reply waits for the award to be durable; the connection's thread does not.
                    context.awardBonus(context.workerId(), payload.optInt("cents", 0), "round done")
                            .thenAccept(token -> context.reply("round_paid", new JSONObject().put("token", token)));
                }
            };
        }
    }

    @Autowired
    BonusLedger bonuses;
    @Autowired
    TaskDataStore taskData;

    @Test
    void taskLogicRecordsItsOwnDataAndABadOrOversizedRecordIsRefusedWithNothingStoredOrSent() throws Exception {
        long s = openSession(new Thresholds(1, 0, 2, 2), 30, "HIT-NOTES");
        ProtocolClient w1 = seedPage("w1", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-NOTES"));
        w1.expect("start_your_task");
        w1.expect("update_worker_count", "{count:0,max_count:2}");
        w1.expect("workers_status", "{waiting:0,active:1}");

        w1.emit("note", new JSONObject().put("x", 1));
        w1.expect("noted", "{ok:true}");
        assertThat(taskData.forSession(s)).singleElement().satisfies(r -> {
            assertThat(r.workerId()).isEqualTo("w1");
            assertThat(r.alias()).isNull();
            assertThat(r.kind()).isEqualTo("note");
            assertThat(r.json().getInt("x")).isEqualTo(1);
        });

        CompletableFuture<JSONObject> ack = new CompletableFuture<>();
        w1.emitRaw("note", new JSONObject().put("blob", "z".repeat(TaskRecord.MAX_PAYLOAD)),
                (io.socket.client.Ack) args -> ack.complete((JSONObject) args[0]));
        JSONObject error = w1.expect("error");
        assertThat(error.getString("code")).isEqualTo("invalid_task_data");
        assertThat(error.getString("message")).contains("longer than " + TaskRecord.MAX_PAYLOAD);
        assertThat(ack.get(10, TimeUnit.SECONDS).getBoolean("ok")).isFalse();

        w1.emit("note", new JSONObject().put("kind", "<script>"));
        assertThat(w1.expect("error").getString("code")).isEqualTo("invalid_task_data");
        quiet(List.of(w1)); // no "noted" for either
        assertThat(taskData.count(s)).isEqualTo(1);
    }

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
