package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.pavilion.queue.Thresholds;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.realtime.ProtocolClient.Received;
import org.pavilion.realtime.transport.EchoNamespaceConfiguration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * The abuse limits of the real-time channel, over real sockets, with small limits: events per
 * connection (5 a second, 10 at once), connections per address (3), handshakes per address (2 a second,
 * 6 at once), a polling client's backlog (50 packets), one /chat socket per connection, and the chat's
 * own rate. Each test speaks from its own loopback addresses (127.0.0.x), so that no test spends
 * another's allowance. Assertions are about what is handled, refused and counted, never about time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pavilion.database.embedded=mem",
        "pavilion.realtime.events-per-second=5",
        "pavilion.realtime.event-burst=10",
        "pavilion.realtime.max-connections-per-address=3",
        "pavilion.realtime.handshakes-per-second=2",
        "pavilion.realtime.handshake-burst=6",
        "pavilion.realtime.max-queued-frames=50",
        "pavilion.realtime.ping-interval=2s",
        "pavilion.realtime.ping-timeout=5s"})
@Import(EchoNamespaceConfiguration.class)
class RealtimeLimitsTest extends RealtimeTestSupport {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Autowired
    EventLimits eventLimits;
    @Autowired
    MeterRegistry registry;

    private ProtocolClient from(String address, String name, String transport) throws InterruptedException {
        return track(ProtocolClient.connectFrom(address, name, port, null, transport));
    }

    private double refused(String reason) {
        var counter = registry.find("pavilion.realtime.refused").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    // ---- events per connection ----------------------------------------------------------------

    @Test
    void aFloodingConnectionIsLimitedThenCutOffWhileItsSessionGoesOn() throws Exception {
        long s = openSession(new Thresholds(1, 0, 3, 3), 1, "HIT-FLOOD");
        ProtocolClient w1 = from("127.0.0.11", "w1", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-FLOOD"));
        w1.expect("start_your_task");
        ProtocolClient w2 = from("127.0.0.12", "w2", "polling");
        w2.emit("connected", acceptedJoin("w2", "a2", "HIT-FLOOD"));
        w2.skipUntil("workers_status", "{waiting:0,active:2}");
        w1.skipUntil("workers_status", "{waiting:0,active:2}");
        // Served before the flood (the flood's own answers may still be on their way when it is cut off).
        w1.emit("pay_status", new JSONObject());
        List<Received> before = w1.collectUntil("pay_status");
        assertThat(before.get(before.size() - 1).json().getInt("cents_per_hour")).isEqualTo(725);
        double flooded = refused("event_flood");

        int sent = 2000;
        for (int i = 0; i < sent; i++) {
            w1.emit("pay_status", new JSONObject());
        }
        List<Received> heard = w1.collectUntil("(disconnected)");

        List<JSONObject> errors = heard.stream().filter(r -> r.event().equals("error")).map(Received::json).toList();
        long answered = heard.stream().filter(r -> r.event().equals("pay_status")).count();
        assertThat(errors).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getString("code")).isEqualTo("rate_limited");
            assertThat(e.getString("event")).isEqualTo("pay_status");
        });
        assertThat(errors.get(errors.size() - 1).getString("message")).contains("disconnected");
        // Told at most once a second, not once per refused event; most of the flood was not handled.
        assertThat(errors.size()).isLessThanOrEqualTo(5);
        assertThat(answered).isLessThan(100);
        assertThat(refused("event_flood")).isEqualTo(flooded + 1);

        // The other worker is served as before: its pay, then the counts when w1's grace runs out.
        w2.emit("pay_status", new JSONObject());
        w2.skipUntil("workers_status", "{waiting:0,active:1}"); // w1 disconnected after its 1 s grace
        assertThat(sessions.snapshot(s).workers().get("w1").status()).isEqualTo(WorkerStatus.DISCONNECTED);
        w2.emit("pay_status", new JSONObject());
        assertThat(w2.expect("pay_status").getInt("cents_per_hour")).isEqualTo(725);
        ProtocolClient w3 = from("127.0.0.13", "w3", "websocket");
        w3.emit("connected", acceptedJoin("w3", "a3", "HIT-FLOOD"));
        w2.expect("update_worker_count", "{count:0,max_count:3}");
        w2.expect("workers_status", "{waiting:0,active:2}");
        assertThat(sessions.snapshot(s).active()).containsExactly("w2", "w3");

        // Each connection's state goes when it closes.
        w2.close();
        w3.close();
        await().atMost(PATIENCE).until(() -> eventLimits.trackedConnections() == 0);
    }

    @Test
    void aConnectionHoldsOneChatSocketAndOpeningOneCountsAsAnEvent() throws Exception {
        RawHttp http = new RawHttp("127.0.0.41", port);
        String sid = RawHttp.sidOf(http.handshake());
        http.send(sid, "40/chat,");
        assertThat(pollUntil(http, sid, p -> p.startsWith("40/chat,{"))).isNotNull();
        double before = refused("second_chat_socket");

        // Socket.IO would make a second /chat socket on the same connection (and leave the first one deaf).
        http.send(sid, "40/chat,");
        String refusal = pollUntil(http, sid, p -> p.startsWith("42/chat,[\"error\""));
        assertThat(new org.json.JSONArray(refusal.substring("42/chat,".length())).getJSONObject(1).getString("code"))
                .isEqualTo("already_connected");
        assertThat(ended(http, sid)).isTrue();
        // Engine.IO itself lets go of the session (just after it has sent the close packet).
        await().atMost(PATIENCE).until(() -> http.poll(sid).status() == 400);
        assertThat(refused("second_chat_socket")).isEqualTo(before + 1);

        // Opening and closing the socket over and over spends the connection's events: 30 openings in one
        // request, of which the burst (10) and whatever refilled meanwhile (5 a second) are handled.
        String other = RawHttp.sidOf(http.handshake());
        double limitedBefore = refused("event_rate");
        StringBuilder cycles = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            cycles.append(i == 0 ? "" : "\u001e").append("40/chat,\u001e41/chat,");
        }
        http.send(other, cycles.toString());
        assertThat(refused("event_rate") - limitedBefore).isGreaterThanOrEqualTo(15);
        http.closeSession(other);
        await().atMost(PATIENCE).until(() -> eventLimits.trackedConnections() == 0);
    }

    // ---- connections and handshakes per address ------------------------------------------------

    @Test
    void anAddressHoldsAtMostThreeConnectionsAndGetsItsPlaceBackWhenOneCloses() throws Exception {
        String address = "127.0.0.21";
        RawHttp http = new RawHttp(address, port);
        ProtocolClient a = from(address, "a", "websocket");
        from(address, "b", "polling");
        from(address, "c", "websocket");

        RawHttp.Response refused = http.handshake();
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().getString("code")).isEqualTo("too_many_connections");
        assertThat(refused.json().getString("message")).contains("at most 3");
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isPositive();
        RawHttp.Response refusedUpgrade = http.upgrade("/socket.io/?EIO=4&transport=websocket", "13");
        assertThat(refusedUpgrade.status()).isEqualTo(429);
        assertThat(refusedUpgrade.json().getString("code")).isEqualTo("too_many_connections");

        // Another address is not affected.
        RawHttp.Response elsewhere = new RawHttp("127.0.0.22", port).handshake();
        assertThat(elsewhere.status()).isEqualTo(200);
        new RawHttp("127.0.0.22", port).closeSession(RawHttp.sidOf(elsewhere));

        a.close();
        RawHttp.Response admitted = admittedEventually(http);
        http.closeSession(RawHttp.sidOf(admitted));
    }

    @Test
    void everyWayAConnectionEndsGivesItsPlaceBack() throws Exception {
        // A polling client that closes.
        String address = "127.0.0.23";
        RawHttp http = new RawHttp(address, port);
        ProtocolClient polling = from(address, "p1", "polling");
        from(address, "p2", "polling");
        from(address, "p3", "websocket");
        assertThat(http.handshake().status()).isEqualTo(429);
        polling.close();
        admittedEventually(http); // a raw session, never polled again and never answering a ping

        // That abandoned session: the heartbeat ends it, and its place comes back.
        assertThat(http.handshake().status()).isEqualTo(429);
        admittedEventually(http);

        // Upgrades that Tomcat refuses (a wrong protocol version) and handshakes that Engine.IO refuses (an
        // unknown transport) hold no place: three connections still fit from a fresh address, and no more.
        RawHttp fresh = new RawHttp("127.0.0.24", port);
        assertThat(fresh.upgrade("/socket.io/?EIO=4&transport=websocket", "12").status()).isEqualTo(426);
        assertThat(fresh.get("/socket.io/?EIO=4&transport=nonsense").status()).isEqualTo(400);
        List<String> sids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawHttp.Response open = fresh.handshake();
            assertThat(open.status()).as("connection %d of 3", i + 1).isEqualTo(200);
            sids.add(RawHttp.sidOf(open));
        }
        assertThat(fresh.handshake().status()).isEqualTo(429);
        for (String sid : sids) {
            fresh.closeSession(sid);
        }
    }

    @Test
    void anAddressThatHandshakesInALoopIsSlowedDown() throws Exception {
        RawHttp http = new RawHttp("127.0.0.31", port);
        double before = refused("handshake_rate");
        int admitted = 0;
        RawHttp.Response refusal = null;
        long start = System.nanoTime();
        for (int i = 0; i < 40; i++) {
            RawHttp.Response r = http.handshake();
            if (r.status() == 200) {
                admitted++;
                http.closeSession(RawHttp.sidOf(r));
            } else {
                assertThat(r.status()).isEqualTo(429);
                if (r.json().getString("code").equals("too_many_handshakes")) {
                    refusal = r;
                }
            }
        }
        double elapsedSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(refusal).as("a handshake refused for the rate").isNotNull();
        assertThat(refusal.json().getString("message")).contains("at most 2 a second");
        assertThat(Integer.parseInt(refusal.header("Retry-After"))).isPositive();
        // Admitted: the burst, and the rate over however long the loop took.
        assertThat((double) admitted).isLessThanOrEqualTo(6 + 2 * elapsedSeconds + 1);
        assertThat(refused("handshake_rate")).isEqualTo(before + 40 - admitted);
        // It comes back once it slows down.
        http.closeSession(RawHttp.sidOf(admittedEventually(http)));
    }

    // ---- a polling client that does not collect ------------------------------------------------

    @Test
    void aPollingClientThatStopsPollingIsDroppedOnceItsBacklogPassesTheLimit() throws Exception {
        RawHttp http = new RawHttp("127.0.0.61", port);
        String sid = RawHttp.sidOf(http.handshake());
        http.send(sid, "40/echo,");
        assertThat(pollUntil(http, sid, p -> p.startsWith("42/echo,[\"hello\""))).isNotNull();
        double dropped = refused("slow_polling_client");

        // It keeps sending (each POST keeps it alive) and never polls: 200 answers wait for it each time.
        http.send(sid, "42/echo,[\"burst\",200]");
        await().atMost(PATIENCE).until(() -> refused("slow_polling_client") > dropped);
        for (int i = 0; i < 5; i++) {
            http.send(sid, "42/echo,[\"burst\",200]");
        }
        // What it finds when it polls again is what waited when it was dropped, not all 1,200, then the end.
        int seq = 0;
        boolean ended = false;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!ended && System.nanoTime() < deadline) {
            RawHttp.Response r = http.poll(sid);
            if (r.status() == 400) {
                ended = true; // Engine.IO no longer knows the session
                break;
            }
            for (String packet : r.packets()) {
                if (packet.startsWith("42/echo,[\"seq\"")) {
                    seq++;
                }
                if (packet.equals("1")) {
                    ended = true;
                }
            }
        }
        assertThat(ended).isTrue();
        assertThat(seq).isLessThan(400);
        assertThat(refused("slow_polling_client")).isEqualTo(dropped + 1);
    }

    // ---- the chat -------------------------------------------------------------------------------

    @Test
    void chatMessagesAreLimitedPerWorkerAndEveryOneIsEitherDeliveredOrRefused() throws Exception {
        long s = openSession(new Thresholds(1, 0, 2, 2), 30, "HIT-CHAT");
        ProtocolClient w1 = from("127.0.0.51", "w1", "websocket");
        w1.emit("connected", acceptedJoin("w1", "a1", "HIT-CHAT"));
        w1.expect("start_your_task");
        ProtocolClient w2 = from("127.0.0.52", "w2", "websocket");
        w2.emit("connected", acceptedJoin("w2", "a2", "HIT-CHAT"));
        w2.skipUntil("workers_status", "{waiting:0,active:2}");
        w1.skipUntil("workers_status", "{waiting:0,active:2}");
        double before = refused("chat_rate");

        int sent = 8; // within the connection's event burst: only the chat's own limit applies
        for (int i = 0; i < sent; i++) {
            w1.emit("chat_message", new JSONObject().put("text", "line " + i));
        }
        List<Received> toW1 = new ArrayList<>();
        List<String> toW2 = new ArrayList<>();
        await().atMost(PATIENCE).until(() -> {
            toW1.addAll(w1.drain());
            w2.drain().stream().filter(r -> r.event().equals("chat_message"))
                    .forEach(r -> toW2.add(r.json().getString("text")));
            long refusedHere = toW1.stream().filter(r -> r.event().equals("error")).count();
            return refusedHere + toW2.size() == sent;
        });
        List<JSONObject> refusals = toW1.stream().filter(r -> r.event().equals("error")).map(Received::json).toList();
        assertThat(refusals).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getString("code")).isEqualTo("refused");
            assertThat(e.getString("message")).contains("at most 2 messages a second");
        });
        assertThat(toW2).hasSizeGreaterThanOrEqualTo(5).startsWith("line 0", "line 1", "line 2", "line 3", "line 4");
        assertThat(refused("chat_rate")).isEqualTo(before + refusals.size());
        assertThat(sessions.snapshot(s).active()).containsExactly("w1", "w2");

        // Later, w1 may chat again.
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(700)).until(() -> {
            w1.emit("chat_message", new JSONObject().put("text", "again"));
            return w2.drain().stream().anyMatch(r -> r.event().equals("chat_message")
                    && r.json().getString("text").equals("again"));
        });
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** Retries a polling handshake at a pace the address's handshake rate allows, until one is admitted. */
    private static RawHttp.Response admittedEventually(RawHttp http) {
        RawHttp.Response[] admitted = new RawHttp.Response[1];
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(600)).until(() -> {
            RawHttp.Response r = http.handshake();
            if (r.status() == 200) {
                admitted[0] = r;
                return true;
            }
            assertThat(r.status()).isEqualTo(429);
            return false;
        });
        return admitted[0];
    }

    /** Polls until a packet matching {@code wanted} arrives; returns it. */
    private static String pollUntil(RawHttp http, String sid, java.util.function.Predicate<String> wanted)
            throws Exception {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            RawHttp.Response r = http.poll(sid);
            assertThat(r.status()).as("poll of %s (seen: %s)", sid, seen).isEqualTo(200);
            for (String packet : r.packets()) {
                seen.add(packet);
                if (packet.equals("2")) {
                    http.send(sid, "3"); // answer the heartbeat
                }
                if (wanted.test(packet)) {
                    return packet;
                }
            }
        }
        throw new AssertionError("never received the packet wanted; seen: " + seen);
    }

    /** Polls until the session ends (a close packet, or Engine.IO no longer knows it). */
    private static boolean ended(RawHttp http, String sid) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            RawHttp.Response r = http.poll(sid);
            if (r.status() == 400 || r.packets().contains("1")) {
                return true;
            }
        }
        return false;
    }
}
