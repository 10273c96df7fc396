package org.pavilion.marketplace;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongFunction;

import org.pavilion.marketplace.MarketplaceSettings.Mode;
import org.pavilion.queue.InvalidConfigurationException;

/**
 * The marketplaces a session may be posted on, and which one each session's calls go to (issue 14 item 3).
 * Every session keeps the marketplace it went live on: its hires, HIT expiries, reconciliation and pay go
 * there, whatever the server's configured mode ({@code pavilion.marketplace.mode}) is later.
 *
 * <p>Offered at Go live: the local marketplace always (no money moves); the configured mode; and MTurk's
 * sandbox when AWS credentials are found (no real money either). Production is offered only when it is the
 * configured mode: real money is spent only on a server set up for it on purpose.
 */
public final class Marketplaces {

    private final Mode configured;
    private final Marketplace configuredClient;
    private final Function<Mode, Marketplace> clientFor;
    private final BooleanSupplier awsCredentials;
    private final LongFunction<Optional<String>> storedModeOf;
    private final Map<Mode, Marketplace> clients = new EnumMap<>(Mode.class);
    /** A session's marketplace never changes once it went live, so it is read from the store once. */
    private final Map<Long, Mode> sessionModes = new ConcurrentHashMap<>();

    /**
     * @param configured       the server's configured mode
     * @param configuredClient its client (the {@link Marketplace} bean, which a test may replace)
     * @param clientFor        builds the client of another mode, on first use
     * @param awsCredentials   whether the standard AWS chain holds credentials (asked when the offer is shown)
     * @param storedModeOf     a session's stored mode name; empty for a session opened before sessions had one
     */
    public Marketplaces(Mode configured, Marketplace configuredClient, Function<Mode, Marketplace> clientFor,
                        BooleanSupplier awsCredentials, LongFunction<Optional<String>> storedModeOf) {
        this.configured = configured == null ? Mode.LOCAL : configured;
        this.configuredClient = Objects.requireNonNull(configuredClient, "configuredClient");
        this.clientFor = Objects.requireNonNull(clientFor, "clientFor");
        this.awsCredentials = Objects.requireNonNull(awsCredentials, "awsCredentials");
        this.storedModeOf = Objects.requireNonNull(storedModeOf, "storedModeOf");
    }

    /** The server's configured mode: the default choice at Go live. */
    public Mode configured() {
        return configured;
    }

    /** A marketplace an admin may choose: its {@code key} as forms and the API write it, in words, and whether it is
     * the configured one (the default choice). */
    public record Offer(String key, String description, boolean configured) {
    }

    /** {@link #offered()} as the console and the API show it, the configured one first. */
    public List<Offer> offers() {
        return offered().stream().map(m -> new Offer(key(m), describe(m), m == configured)).toList();
    }

    /** The modes an admin may choose at Go live, the configured one first. */
    public List<Mode> offered() {
        List<Mode> modes = new ArrayList<>();
        modes.add(configured);
        if (configured != Mode.LOCAL) {
            modes.add(Mode.LOCAL);
        }
        if (configured == Mode.LOCAL && awsCredentials.getAsBoolean()) {
            modes.add(Mode.SANDBOX);
        }
        return List.copyOf(modes);
    }

    /**
     * The mode an admin chose at Go live ({@code local}, {@code sandbox}, {@code production}, any case; blank for
     * the configured one). A mode that is not offered is an {@link InvalidConfigurationException}: nothing is
     * posted anywhere else than where the admin was shown.
     */
    public Mode choose(String choice) {
        if (choice == null || choice.isBlank()) {
            return configured;
        }
        Mode mode;
        try {
            mode = Mode.valueOf(choice.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException("marketplace", "must be one of " + names(offered())
                    + " (was '" + clip(choice) + "')");
        }
        if (!offered().contains(mode)) {
            throw new InvalidConfigurationException("marketplace", describe(mode) + " is not available on this "
                    + "server; choose one of " + names(offered()) + (mode == Mode.SANDBOX
                    ? " (the sandbox needs AWS credentials: see README, \"Run a study on the MTurk sandbox\")"
                    : mode == Mode.PRODUCTION ? " (production needs pavilion.marketplace.mode=production)" : ""));
        }
        return mode;
    }

    /** The client of a mode. */
    public Marketplace of(Mode mode) {
        if (mode == configured) {
            return configuredClient;
        }
        synchronized (clients) {
            return clients.computeIfAbsent(mode, clientFor);
        }
    }

    /** The mode a session went live on (the configured one for sessions older than the choice). */
    public Mode modeOf(long sessionId) {
        Mode known = sessionModes.get(sessionId);
        if (known != null) {
            return known;
        }
        Optional<String> stored = storedModeOf.apply(sessionId);
        if (stored.isEmpty()) {
            return configured; // not cached: a session being opened has no row yet
        }
        Mode mode = Mode.valueOf(stored.get());
        sessionModes.put(sessionId, mode);
        return mode;
    }

    /** The client of the marketplace a session went live on. */
    public Marketplace forSession(long sessionId) {
        return of(modeOf(sessionId));
    }

    /** The mode as an admin reads it. */
    public static String describe(Mode mode) {
        return switch (mode) {
            case PRODUCTION -> "MTurk production (real money)";
            case SANDBOX -> "MTurk sandbox (test marketplace, no real money)";
            case LOCAL -> "the local marketplace (Pavilion's own, no real money)";
        };
    }

    /**
     * Where a worker sees the session's HIT before accepting it: the local board, or the worker site's
     * preview of the HIT's group (null until the marketplace reported the group).
     */
    public static String previewUrl(Mode mode, String hitGroupId) {
        if (mode == Mode.LOCAL) {
            return "/local-mturk/board";
        }
        if (hitGroupId == null || hitGroupId.isBlank()) {
            return null;
        }
        String site = mode == Mode.SANDBOX ? "https://workersandbox.mturk.com" : "https://worker.mturk.com";
        return site + "/mturk/preview?groupId=" + java.net.URLEncoder.encode(hitGroupId,
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A stored mode name (null: a session older than the choice, on the configured one). */
    public Mode stored(String name) {
        return name == null ? configured : Mode.valueOf(name);
    }

    /** The mode's name as forms and the API write it: local, sandbox, production. */
    public static String key(Mode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static String names(List<Mode> modes) {
        return String.join(", ", modes.stream().map(Marketplaces::key).toList());
    }

    private static String clip(String s) {
        String t = s.strip();
        return t.length() <= 20 ? t : t.substring(0, 19) + "\u2026";
    }
}
