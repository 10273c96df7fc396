package org.pavilion.realtime.transport;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.socket.engineio.server.Transport;
import io.socket.socketio.server.SocketIoNamespace;
import io.socket.socketio.server.SocketIoServer;
import io.socket.socketio.server.SocketIoSocket;
import org.json.JSONObject;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Test only: a throwaway {@code /echo} namespace. On connection it sends {@code hello} with the
 * handshake's transport and Engine.IO protocol, and {@code upgraded} with the new transport's name
 * after an upgrade; {@code echo} comes back as {@code echo};
 * {@code burst n} makes one other thread send {@code n} numbered {@code seq} events.
 */
@TestConfiguration(proxyBeanMethods = false)
public class EchoNamespaceConfiguration {

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService echoDeliveryThread() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "echo-delivery");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    SocketIoNamespace echoNamespace(SocketIoServer socketIoServer, ExecutorService echoDeliveryThread) {
        SocketIoNamespace namespace = socketIoServer.namespace("/echo");
        namespace.on("connection", args -> {
            SocketIoSocket socket = (SocketIoSocket) args[0];
            JSONObject hello = new JSONObject()
                    .put("transport", String.valueOf(socket.getInitialQuery().get("transport")))
                    .put("EIO", String.valueOf(socket.getInitialQuery().get("EIO")));
            socket.send("hello", hello);
            socket.getClient().getConnection().on("upgrade",
                    a -> socket.send("upgraded", ((Transport) a[0]).getName()));
            socket.on("echo", a -> socket.send("echo", a));
            socket.on("burst", a -> {
                int n = Integer.parseInt(String.valueOf(a[0]));
                echoDeliveryThread.execute(() -> {
                    for (int i = 0; i < n; i++) {
                        socket.send("seq", i);
                    }
                });
            });
        });
        return namespace;
    }
}
