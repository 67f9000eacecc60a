# The token server's image. Build the jar first, then the image:
#   mvn -B package -DskipTests && docker build -t agora-token-server .
# BASE_IMAGE is any image with a Java 17 runtime on PATH; the default is pinned by digest (bump tag and
# digest together). CI builds it from a base it makes itself (.ci/container-image.sh).
ARG BASE_IMAGE=eclipse-temurin:17-jre@sha256:c6f2875c05ea10f16398bdc5f73405c384991506f2f1ead8bcc6582ae8adea79
FROM ${BASE_IMAGE}

# The server reads conf/config.json relative to its working directory.
WORKDIR /app
COPY conf/ /app/conf/
COPY target/agora-token-server.jar /app/agora-token-server.jar

# The same fixed non-root ids as the Kubernetes Deployment's securityContext.
USER 10001:10001
EXPOSE 8080 8081

# The measured JVM flags of conf/jvm.options, as a default a Deployment or `docker run -e` replaces whole
# (k8s/ sets its own, with the heap sized from the pod's memory limit). They write nothing to disk, so the
# root filesystem can be read-only; only /tmp needs to be writable.
ENV JDK_JAVA_OPTIONS=@/app/conf/jvm.options

# SIGTERM starts the graceful drain (readiness 503, finish in-flight requests, exit 0).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/app/agora-token-server.jar"]
