package io.larkway.admin;

/** A group of API verbs contributed by another package (experts, triggers, sessions, status…). */
public interface ApiHandlers {
    /** Registers verbs through {@code api.register(id, method, path, handler)}. */
    void register(Registrar api);

    @FunctionalInterface
    interface Registrar {
        void register(String id, String method, String path, AdminApiRoutes.Handler handler);
    }
}
