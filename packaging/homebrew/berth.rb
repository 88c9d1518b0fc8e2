# Homebrew formula for berth: builds from source with cargo and installs the
# completions and man pages that the binary generates from its own command
# definitions. `packaging/homebrew/release VERSION` fills in url and sha256
# for a release tarball; until the first release, `brew install --HEAD`.
class Berth < Formula
  desc "Linux containers on macOS in QEMU machines, driven by a podman-compatible CLI"
  homepage "https://github.com/berth-project/berth"
  url "https://github.com/berth-project/berth/releases/download/v0.1.0/berth-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "Apache-2.0"
  head "https://github.com/berth-project/berth.git", branch: "main"

  depends_on "rust" => :build
  depends_on "qemu"

  def install
    system "cargo", "install", *std_cargo_args
    generate_completions_from_executable(bin/"berth", "completion")
    system bin/"berth", "generate-man", man1
  end

  def caveats
    <<~EOS
      Create and start a Fedora CoreOS machine, then run containers in it:
        berth machine init
        berth machine start
        berth run --rm quay.io/podman/hello

      The default machine's API is linked at a stable path for the Docker CLI:
        export DOCKER_HOST="unix://$HOME/.local/share/berth/docker.sock"
      For tools that only use /var/run/docker.sock, link it once:
        sudo ln -s ~/.local/share/berth/docker.sock /var/run/docker.sock
    EOS
  end

  test do
    assert_match "berth version #{version}", shell_output("#{bin}/berth --version")
    assert_match(/^NAME\s+VM TYPE\s+CREATED/, shell_output("#{bin}/berth machine list"))
    assert_match(/^Name\s+URI\s+Identity/, shell_output("#{bin}/berth system connection list"))
    assert_match "complete -F _berth", shell_output("#{bin}/berth completion bash")
    assert_path_exists man1/"berth-machine-init.1"
  end
end
