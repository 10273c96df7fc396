package org.pavilion.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.pavilion.realtime.Connections.WorkerBinding;
import org.pavilion.realtime.Connections.WorkerKey;

/**
 * Issue 13 item 5: a worker's page reloads, so its new connection is bound while its old one closes. Bound
 * with a lookup and then an add (the old {@code computeIfAbsent(...).add}), the close could take the worker's
 * emptied set out of the map between the two, leaving the new connection in a set nobody sees: a connected
 * worker looked disconnected, and its grace timer removed it. Each round races the two on a barrier; with
 * the old code some rounds in every run end with the worker looking disconnected.
 */
class ConnectionsRaceTest {

    private static final int ROUNDS = 100_000;

    @Test
    void aReloadsNewConnectionIsNeverLostToItsOldConnectionsClose() throws Exception {
        Connections connections = new Connections();
        WorkerBinding worker = new WorkerBinding(1, "w1", "a1", false);
        WorkerKey key = worker.key();
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        int lost = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String old = "old-" + round;
                String reload = "new-" + round;
                assertThat(connections.bindWorker(old, null, worker)).isTrue();
                Future<?> close = threads.submit(() -> {
                    start.await();
                    return connections.unbind(old);
                });
                Future<Boolean> bind = threads.submit(() -> {
                    start.await();
                    return connections.bindWorker(reload, null, worker);
                });
                close.get();
                assertThat(bind.get()).isTrue();
                if (!connections.isConnected(key)) {
                    lost++;
                }
                assertThat(connections.unbind(reload)).as("the last connection's close frees the worker").isNotNull();
                assertThat(connections.isConnected(key)).isFalse();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(lost).as("rounds in which the new connection was bound but the worker looked disconnected")
                .isZero();
    }
}
