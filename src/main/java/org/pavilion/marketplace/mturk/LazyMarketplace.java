package org.pavilion.marketplace.mturk;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.MarketplaceException;
import org.pavilion.pay.Money;

/**
 * A {@link Marketplace} whose real client is built at its first use, then kept. Needed because in
 * local mode the endpoint is this server's own URL, known only once the web server has started
 * (after the beans are created). If building fails (the server has not started yet), the call
 * fails with a retryable {@link MarketplaceException} and the next call tries again.
 */
public class LazyMarketplace implements Marketplace {

    private final Supplier<? extends Marketplace> factory;
    private volatile Marketplace delegate;

    public LazyMarketplace(Supplier<? extends Marketplace> factory) {
        this.factory = factory;
    }

    /** The client, building it now if needed. */
    public Marketplace delegate() {
        Marketplace d = delegate;
        if (d == null) {
            synchronized (this) {
                if (delegate == null) {
                    Marketplace built = factory.get();
                    if (built == null) {
                        throw new MarketplaceException("MarketplaceUnavailable", "no marketplace client could be built",
                                true);
                    }
                    delegate = built;
                }
                d = delegate;
            }
        }
        return d;
    }

    /** Whether the client has been built. */
    public boolean resolved() {
        return delegate != null;
    }

    @Override
    public String createHitType(HitTypeSpec spec) {
        return delegate().createHitType(spec);
    }

    @Override
    public Hit createHit(String hitTypeId, HitSpec spec, String token) {
        return delegate().createHit(hitTypeId, spec, token);
    }

    @Override
    public Optional<Hit> findHitByAnnotation(String hitTypeId, String annotation) {
        return delegate().findHitByAnnotation(hitTypeId, annotation);
    }

    @Override
    public Hit getHit(String hitId) {
        return delegate().getHit(hitId);
    }

    @Override
    public void expireHit(String hitId) {
        delegate().expireHit(hitId);
    }

    @Override
    public void registerNotifications(String hitTypeId, String destination, List<String> eventTypes) {
        delegate().registerNotifications(hitTypeId, destination, eventTypes);
    }

    @Override
    public void sendTestNotification(String destination, List<String> eventTypes) {
        delegate().sendTestNotification(destination, eventTypes);
    }

    @Override
    public List<AssignmentInfo> listAssignments(String hitId) {
        return delegate().listAssignments(hitId);
    }

    @Override
    public AssignmentInfo getAssignment(String assignmentId) {
        return delegate().getAssignment(assignmentId);
    }

    @Override
    public void approve(String assignmentId, String feedback) {
        delegate().approve(assignmentId, feedback);
    }

    @Override
    public void reject(String assignmentId, String feedback) {
        delegate().reject(assignmentId, feedback);
    }

    @Override
    public void sendBonus(String workerId, String assignmentId, Money amount, String reason, String token) {
        delegate().sendBonus(workerId, assignmentId, amount, reason, token);
    }

    @Override
    public List<BonusPayment> listBonusPayments(String assignmentId) {
        return delegate().listBonusPayments(assignmentId);
    }

    @Override
    public Money accountBalance() {
        return delegate().accountBalance();
    }

    @Override
    public String createQualificationType(String name, String description) {
        return delegate().createQualificationType(name, description);
    }

    @Override
    public Optional<String> findQualificationType(String name) {
        return delegate().findQualificationType(name);
    }

    @Override
    public void associateQualification(String qualificationTypeId, String workerId, int value) {
        delegate().associateQualification(qualificationTypeId, workerId, value);
    }
}
