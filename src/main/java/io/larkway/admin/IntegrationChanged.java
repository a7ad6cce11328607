package io.larkway.admin;

/** Published after an integration is created, updated or deleted (then {@code after} is null). */
public record IntegrationChanged(Integration before, Integration after) {
    public String id() {
        return after != null ? after.id() : before.id();
    }
}
