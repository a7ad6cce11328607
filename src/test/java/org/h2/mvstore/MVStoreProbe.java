package org.h2.mvstore;

/** Reads what H2 keeps package-private, for larkway's H2 tests. */
public final class MVStoreProbe {
    private MVStoreProbe() {
    }

    /** How many versions H2 keeps behind the current one (the map roots and closed maps of all of them stay in memory). */
    public static long versionsKept(MVStore store) {
        return store.getCurrentVersion() - store.getOldestVersionToKeep();
    }
}
