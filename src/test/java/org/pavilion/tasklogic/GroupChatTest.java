package org.pavilion.tasklogic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.WorkerStatus;

/** The sample chat's own limits, on a clock the test moves by hand. */
class GroupChatTest {

    private final AtomicLong now = new AtomicLong(42_000_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final GroupChat chat = new GroupChat(registry, now::get);

    /** One sender in session 7 with active workers w1, w2, w3; refusals are thrown, as ChatProtocol's are. */
    private final class Sender implements TaskContext {
        final String workerId;
        final List<String> delivered = new ArrayList<>();
        final List<String> recorded = new ArrayList<>();
        final AtomicInteger sessionReads = new AtomicInteger();

        Sender(String workerId) {
            this.workerId = workerId;
        }

        @Override
        public long sessionId() {
            return 7;
        }

        @Override
        public String workerId() {
            return workerId;
        }

        @Override
        public WorkerStatus status() {
            sessionReads.incrementAndGet();
            return WorkerStatus.ACTIVE;
        }

        @Override
        public List<String> activeWorkers() {
            sessionReads.incrementAndGet();
            return List.of("w1", "w2", "w3");
        }

        @Override
        public void sendTo(String worker, String event, JSONObject payload) {
            delivered.add(worker + ":" + payload.getString("text"));
        }

        @Override
        public void reply(String event, JSONObject payload) {
        }

        @Override
        public java.util.concurrent.CompletableFuture<String> awardBonus(String worker, int cents, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void record(String kind, String alias, JSONObject data) {
            recorded.add(kind + ":" + alias + ":" + data.getString("text"));
        }

        @Override
        public void refuse(String message) {
            throw new IllegalStateException(message);
        }
    }

    private boolean say(Sender sender, String text) {
        try {
            chat.onEvent(sender, GroupChat.EVENT, new JSONObject().put("text", text));
            return true;
        } catch (IllegalStateException refused) {
            assertThat(refused.getMessage()).contains("at most 2 messages a second");
            return false;
        }
    }

    private double refusedCount() {
        return registry.get("pavilion.realtime.refused").tag("reason", "chat_rate").counter().count();
    }

    @Test
    void fiveAtOnceThenTwoASecondPerWorker() {
        Sender w1 = new Sender("w1");
        for (int i = 0; i < 5; i++) {
            assertThat(say(w1, "hi " + i)).isTrue();
        }
        int readsBefore = w1.sessionReads.get();
        assertThat(say(w1, "one too many")).isFalse();
        assertThat(w1.sessionReads.get()).as("a refused message reads nothing of the session").isEqualTo(readsBefore);
        assertThat(w1.delivered).hasSize(15).doesNotContain("w2:one too many");

        // Another worker has its own allowance.
        assertThat(say(new Sender("w2"), "hello")).isTrue();

        now.addAndGet(500_000_000L); // half a second: one more message
        assertThat(say(w1, "later")).isTrue();
        assertThat(say(w1, "too soon")).isFalse();

        // At two a second, for a minute, every message goes out.
        for (int i = 0; i < 120; i++) {
            now.addAndGet(500_000_000L);
            assertThat(say(w1, "steady " + i)).isTrue();
        }
        assertThat(refusedCount()).isEqualTo(2);
    }

    @Test
    void aRefusedMessageIsNotCopiedToAnyone() {
        Sender w1 = new Sender("w1");
        for (int i = 0; i < 20; i++) {
            say(w1, "flood " + i);
        }
        assertThat(w1.delivered).hasSize(5 * 3);
        assertThat(refusedCount()).isEqualTo(15);
        assertThat(w1.recorded).as("every delivered message is recorded once, with the sender's alias; refused ones never")
                .containsExactly("chat_message:Worker 1:flood 0", "chat_message:Worker 1:flood 1",
                        "chat_message:Worker 1:flood 2", "chat_message:Worker 1:flood 3", "chat_message:Worker 1:flood 4");
    }

    @Test
    void theLengthLimitStillHolds() {
        Sender w1 = new Sender("w1");
        assertThatThrownBy(() -> chat.onEvent(w1, GroupChat.EVENT, new JSONObject().put("text", "x".repeat(501))))
                .hasMessageContaining("longer than 500");
        assertThat(w1.delivered).isEmpty();
        assertThat(w1.recorded).isEmpty();
    }
}
