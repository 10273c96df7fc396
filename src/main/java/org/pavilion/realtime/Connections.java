package org.pavilion.realtime;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.socket.socketio.server.SocketIoSocket;

/**
 * Who each connection speaks for. A worker connection is bound to the worker and assignment it
 * first joined as and to nothing else; an admin connection to its admin and the session it watches.
 */
final class Connections {

    sealed interface Binding permits WorkerBinding, AdminBinding {
    }

    /** {@code verified}: proven by a signed token of a page Pavilion served, not just claimed. */
    record WorkerBinding(long sessionId, String workerId, String assignmentId, boolean verified) implements Binding {
        WorkerKey key() {
            return new WorkerKey(sessionId, workerId);
        }
    }

    record AdminBinding(String admin, long sessionId) implements Binding {
    }

    record WorkerKey(long sessionId, String workerId) {
    }

    private final ConcurrentHashMap<String, Binding> bySocket = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, SocketIoSocket> sockets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<WorkerKey, Set<String>> byWorker = new ConcurrentHashMap<>();
    /** Workers who joined with a signed token: later connections for them must prove it too. */
    private final Set<WorkerKey> tokenHolders = ConcurrentHashMap.newKeySet();
    /**
     * Per worker, a number that grows with every claim and bind of a connection for it: a grace timer
     * started at one generation must not remove a worker that a newer connection has claimed since.
     */
    private final ConcurrentHashMap<WorkerKey, AtomicLong> generations = new ConcurrentHashMap<>();

    Binding of(String socketId) {
        return bySocket.get(socketId);
    }

    /** Binds a connection to a worker; false if it is already bound to someone else. */
    boolean bindWorker(SocketIoSocket socket, WorkerBinding binding) {
        return bindWorker(socket.getId(), socket, binding);
    }

    /** {@link #bindWorker(SocketIoSocket, WorkerBinding)} by id ({@code socket} may be null in tests). */
    boolean bindWorker(String socketId, SocketIoSocket socket, WorkerBinding binding) {
        Binding existing = bySocket.putIfAbsent(socketId, binding);
        if (existing != null && !existing.equals(binding)) {
            return false;
        }
        if (socket != null) {
            sockets.put(socketId, socket);
            java.util.function.Consumer<SocketIoSocket> hook = midBindForTests;
            if (hook != null) {
                hook.accept(socket);
            }
        }
        // Added inside compute: atomic with unbind's removal of an emptied set (a set taken out of the
        // map between a lookup and an add would leave a connected worker looking disconnected).
        byWorker.compute(binding.key(), (k, ids) -> {
            Set<String> open = ids == null ? ConcurrentHashMap.newKeySet() : ids;
            open.add(socketId);
            return open;
        });
        claimed(binding.key());
        if (binding.verified()) {
            tokenHolders.add(binding.key());
        }
        return true;
    }

    /** Tests only: runs in the middle of a bind, to close the connection at the worst moment. */
    volatile java.util.function.Consumer<SocketIoSocket> midBindForTests;

    /**
     * Takes a connection found closed right after it was bound out of its worker's connections, whatever its
     * close already did (a close handled in the middle of the bind found no worker entry to take it from).
     * Returns true if the worker is left with no connection.
     */
    boolean unbindClosed(String socketId, WorkerBinding binding) {
        bySocket.remove(socketId, binding);
        sockets.remove(socketId);
        Set<String> left = byWorker.computeIfPresent(binding.key(), (k, ids) -> {
            ids.remove(socketId);
            return ids.isEmpty() ? null : ids;
        });
        return left == null;
    }

    void bindAdmin(String socketId, AdminBinding binding) {
        bySocket.put(socketId, binding);
    }

    boolean requiresToken(WorkerKey key) {
        return tokenHolders.contains(key);
    }

    /** Forgets a closed connection; returns its worker binding if it was the worker's last connection. */
    WorkerBinding unbind(String socketId) {
        Binding binding = bySocket.remove(socketId);
        sockets.remove(socketId);
        if (!(binding instanceof WorkerBinding worker)) {
            return null;
        }
        Set<String> left = byWorker.computeIfPresent(worker.key(), (k, sockets) -> {
            sockets.remove(socketId);
            return sockets.isEmpty() ? null : sockets;
        });
        return left == null ? worker : null;
    }

    /** The worker's open connections in its session. */
    List<SocketIoSocket> socketsOf(WorkerKey key) {
        Set<String> ids = byWorker.get(key);
        return ids == null ? List.of() : ids.stream().map(sockets::get).filter(java.util.Objects::nonNull).toList();
    }

    /** A connection claims the worker (before its arrival is submitted): a new generation. */
    long claimed(WorkerKey key) {
        return generations.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    /** The worker's current generation (0 if no connection ever claimed it here). */
    long generation(WorkerKey key) {
        AtomicLong g = generations.get(key);
        return g == null ? 0 : g.get();
    }

    /** No connection is open for the worker and none has claimed it since {@code generation}. */
    boolean goneSince(WorkerKey key, long generation) {
        return generation(key) == generation && !isConnected(key);
    }

    /**
     * Drops what is kept of an ended session's workers (generations, token holders); its open connections
     * go when they close. Returns how many entries were dropped.
     */
    int forgetSession(long sessionId) {
        int before = tokenHolders.size() + generations.size();
        tokenHolders.removeIf(k -> k.sessionId() == sessionId);
        generations.keySet().removeIf(k -> k.sessionId() == sessionId);
        return before - tokenHolders.size() - generations.size();
    }

    /** Entries kept per worker (generations and token holders), for the memory figures and tests. */
    int workerEntries() {
        return tokenHolders.size() + generations.size();
    }

    boolean isConnected(WorkerKey key) {
        Set<String> sockets = byWorker.get(key);
        return sockets != null && !sockets.isEmpty();
    }
}
