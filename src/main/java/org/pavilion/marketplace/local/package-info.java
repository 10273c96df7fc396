/**
 * The local marketplace: an MTurk-compatible marketplace served by Pavilion itself, the embedded
 * default when {@code pavilion.marketplace.mode} is {@code local} (nothing here exists in sandbox
 * or production mode). It keeps HITs, assignments, the balance, tokens and subscriptions in
 * memory only: <b>a restart of Pavilion empties the local marketplace</b>.
 *
 * <h2>URLs</h2>
 * <ul>
 * <li>{@code POST /local-mturk/} — MTurk's Requester API (AWS JSON 1.1, SigV4 checked against
 * {@code pavilion.marketplace.local.access-key-id}/{@code secret-access-key}):
 * {@link org.pavilion.marketplace.local.MTurkApiController}.</li>
 * <li>{@code GET /local-mturk/board} — the worker board (a person plays a worker);
 * {@code POST /local-mturk/mturk/externalSubmit} — the task pages' submission ({@code turkSubmitTo}
 * is {@code <base>/local-mturk}): {@link org.pavilion.marketplace.local.WorkerBoardController}.</li>
 * <li>{@code /local-mturk/api/…} — JSON for programs (accept, return, submit, abandon, …):
 * {@link org.pavilion.marketplace.local.WorkerApiController}.</li>
 * <li>{@code GET /local-mturk/sns/cert.pem}, {@code /local-mturk/sns/confirm},
 * {@code /local-mturk/sns/unsubscribe} — the local SNS: {@link org.pavilion.marketplace.local.SnsController}.</li>
 * </ul>
 *
 * <h2>Who may use it</h2>
 * Every {@code /local-mturk/**} path answers only this machine (a loopback connection) and
 * logged-in admins; other clients get 403, whatever forwarding headers they send. Pavilion's own
 * MTurk client, its SNS certificate and confirmation fetches and a browser on the same machine
 * connect over loopback (the simulator uses the Java API in-process). {@code pavilion.marketplace.local.open-to-network=true}
 * serves everyone (a demo on a LAN where others play the workers). The rule is in
 * {@code org.pavilion.admin.security.SecurityConfiguration} and {@code LocalMarketplaceAccess}.
 *
 * <h2>Notifications</h2>
 * Events of HIT types registered with UpdateNotificationSettings (Transport SNS, active) become
 * MTurk event documents ({@link org.pavilion.marketplace.local.MTurkNotifications}) published as
 * signed SNS {@code Notification}s ({@link org.pavilion.marketplace.local.LocalSns},
 * {@link org.pavilion.marketplace.local.SnsSigner}) to {@code pavilion.marketplace.local.notify-url}
 * (default: this server's {@code /api/from_mturk}), after a {@code SubscriptionConfirmation} that the
 * subscriber confirms by GETting its SubscribeURL.
 *
 * <h2>Settings</h2>
 * {@link org.pavilion.marketplace.local.LocalMarketplaceProperties} ({@code pavilion.marketplace.local.*}:
 * starting-balance, signature-version, base-url, sweep-interval, delivery-attempts, delivery-backoff,
 * delivery-timeout, max-clock-skew, min-assignment-duration, reuse-assignment-ids, requester-id,
 * token-retention) besides {@code MarketplaceSettings.Local} (access-key-id, secret-access-key,
 * notify-url, open-to-network).
 */
package org.pavilion.marketplace.local;
