package io.larkway.camel.lark.ws;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/** The Vert.x instance long connections share: a few event-loop threads, however many integrations. */
public final class LarkVertx {
    private LarkVertx() {
    }

    public static Vertx create(int eventLoopThreads) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoopThreads).setWorkerPoolSize(4));
        // Vert.x 4.5 (up to at least 4.5.22) cancels a WebSocket's handshake-timeout timer after the
        // handshake only when the timer's id is > 0 (eclipse-vertx/vert.x#5583): the socket that gets
        // timer id 0, the first timer of the instance, is closed a connect timeout after connecting.
        // Timer ids count up from 0 per instance, so taking id 0 here keeps it from any socket.
        vertx.cancelTimer(vertx.setTimer(1, id -> { }));
        return vertx;
    }
}
