package org.pavilion.realtime;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    Binding of(String socketId) {
        return bySocket.get(socketId);
    }

    /** Binds a connection to a worker; false if it is already bound to someone else. */
    boolean bindWorker(SocketIoSocket socket, WorkerBinding binding) {
        String socketId = socket.getId();
        Binding existing = bySocket.putIfAbsent(socketId, binding);
        if (existing != null && !existing.equals(binding)) {
            return false;
        }
        sockets.put(socketId, socket);
        byWorker.computeIfAbsent(binding.key(), k -> ConcurrentHashMap.newKeySet()).add(socketId);
        if (binding.verified()) {
            tokenHolders.add(binding.key());
        }
        return true;
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

    boolean isConnected(WorkerKey key) {
        Set<String> sockets = byWorker.get(key);
        return sockets != null && !sockets.isEmpty();
    }
}
