package org.pavilion.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestTokensTest {

    private static final String INSTANCE = "0123456789abcdef";

    @Test
    void everyTokenNamesItsSessionAndFitsMTurksLimit() {
        long session = 999_999_999_999_999_999L;
        for (String token : new String[] {RequestTokens.post(INSTANCE, session), RequestTokens.hire(INSTANCE, session,
                Integer.MAX_VALUE), RequestTokens.bonus(INSTANCE, session, Long.MAX_VALUE),
                RequestTokens.compensation(INSTANCE, session, Long.MAX_VALUE)}) {
            assertThat(token).hasSizeLessThanOrEqualTo(64);
            assertThat(RequestTokens.sessionOf(INSTANCE, token)).contains(session);
        }
    }

    @Test
    void theSameDecisionYieldsTheSameTokenAndDifferentOnesDiffer() {
        assertThat(RequestTokens.hire(INSTANCE, 3, 2)).isEqualTo(RequestTokens.hire(INSTANCE, 3, 2))
                .isNotEqualTo(RequestTokens.hire(INSTANCE, 3, 1)).isNotEqualTo(RequestTokens.bonus(INSTANCE, 3, 2));
    }

    @Test
    void anotherInstallationsOrAForeignTokenNamesNoSession() {
        assertThat(RequestTokens.sessionOf("fedcba9876543210", RequestTokens.post(INSTANCE, 4))).isEmpty();
        assertThat(RequestTokens.sessionOf(INSTANCE, "my-own-annotation")).isEmpty();
        assertThat(RequestTokens.sessionOf(INSTANCE, null)).isEmpty();
    }
}
