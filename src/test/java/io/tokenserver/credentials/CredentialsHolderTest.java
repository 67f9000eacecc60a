package io.tokenserver.credentials;

import io.tokenserver.support.FakeCredentials;
import io.tokenserver.token.AppCredentials;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CredentialsHolderTest {

  private static final String OTHER_CERT = "0123456789abcdef0123456789abcdef";
  private final CredentialsHolder holder = new CredentialsHolder(FakeCredentials.CREDENTIALS);

  @Test
  void aValidNewPairIsPutInForce() {
    assertThat(holder.offer(new AppCredentials(FakeCredentials.APP_ID, OTHER_CERT))).isTrue();
    assertThat(holder.get().appCertificate()).isEqualTo(OTHER_CERT);
  }

  @Test
  void theSamePairChangesNothing() {
    assertThat(holder.offer(FakeCredentials.CREDENTIALS)).isFalse();
  }

  @Test
  void anInvalidPairIsRejectedAndTheOldOneKept() {
    assertThatThrownBy(() -> holder.offer(new AppCredentials(FakeCredentials.APP_ID, "not-hex")))
        .hasMessage("app certificate must be 32 hexadecimal characters");
    assertThatThrownBy(() -> holder.offer(new AppCredentials("", OTHER_CERT)))
        .hasMessage("app id must be 32 hexadecimal characters");
    assertThat(holder.get()).isEqualTo(FakeCredentials.CREDENTIALS);
  }
}
