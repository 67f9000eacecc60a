# The token server's image. Build the jar first, then the image:
#   mvn -B package -DskipTests && docker build -t agora-token-server .
# Three stages: a Java 25 runtime cut down with jlink and an AOT cache trained on the server (JDK_IMAGE, any
# Java 25 JDK), the C library that runtime needs (OS_IMAGE, any Debian), and the image itself: those two,
# the jar and conf/, and nothing else. CI builds both from images it makes itself (.ci/container-image.sh).
ARG JDK_IMAGE=eclipse-temurin:25.0.3_9-jdk
ARG OS_IMAGE=debian:bookworm-slim

FROM ${JDK_IMAGE} AS runtime
# The modules jdeps finds in the shaded jar, without those only unused integrations reference (java.desktop:
# Micrometer's logging binders; java.sql: Bucket4j's JDBC and Micrometer's DB binders; java.compiler: Vert.x's
# source verticles), plus jdk.crypto.ec (EC keys and TLS on Java 17) and jdk.naming.dns (Netty's DNS fallback).
RUN jlink --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported --strip-java-debug-attributes --no-man-pages --no-header-files --output /opt/jre
WORKDIR /app
COPY conf/ /app/conf/
COPY target/agora-token-server.jar /app/agora-token-server.jar
# The AOT cache: classes loaded and linked, and method profiles, from 10 s of loopback traffic on the image's
# runtime, flags and paths. The server starts from it instead of from the jar's class files.
COPY src/main/docker/ /build/
RUN java /build/AotTraining.java /app/agora-token-server.aot 10 /opt/jre/bin/java --enable-native-access=ALL-UNNAMED -jar /app/agora-token-server.jar

FROM ${OS_IMAGE} AS os
COPY --from=runtime /opt/jre/ /opt/jre/
COPY src/main/docker/rootfs.sh /build/rootfs.sh
RUN sh /build/rootfs.sh /opt/jre /rootfs

FROM scratch
COPY --from=os /rootfs/ /
# COPY --from keeps the files' times: the AOT cache checks the jar's size and time.
COPY --from=runtime /opt/jre/ /opt/jre/
COPY --from=runtime /app/ /app/
# The server reads conf/config.json relative to its working directory.
WORKDIR /app

# The same fixed non-root ids as the Kubernetes Deployment's securityContext.
USER 10001:10001
EXPOSE 8080 8081

# The measured JVM flags of conf/jvm.options, as a default a Deployment or `docker run -e` replaces whole
# (k8s/ sets its own, with the heap sized from the pod's memory limit). They write nothing to disk, so the
# root filesystem can be read-only; only /tmp needs to be writable.
ENV JDK_JAVA_OPTIONS=@/app/conf/jvm.options

# SIGTERM starts the graceful drain (readiness 503, finish in-flight requests, exit 0).
STOPSIGNAL SIGTERM
# The training run's command plus the cache (which is refused when the options differ). Netty loads its
# native transport: allowed, so that Java 25 does not warn about it on every start.
ENTRYPOINT ["/opt/jre/bin/java", "--enable-native-access=ALL-UNNAMED", "-XX:AOTCache=/app/agora-token-server.aot", "-jar", "/app/agora-token-server.jar"]
