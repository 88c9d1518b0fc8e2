# A minimal stand-in for Homebrew, enough to run berth's formula for real on
# Linux: it loads packaging/homebrew/berth.rb, checks its metadata, runs its
# `install` into a private prefix (with `cargo install` replaced by copying a
# binary cargo has already built: a release build takes too long for a
# test), then runs its `caveats` and its `test do` block with Minitest's
# assertions, as `brew test` does, in a fresh HOME.
#
#   ruby tests/homebrew/smoke.rb FORMULA BERTH_BINARY WORK_DIR
#
# Prints what it did; exits non-zero on the first failure.

require "fileutils"
require "minitest"
require "open3"
require "pathname"

# The parts of Homebrew's Formula DSL that formulae like berth's use.
class Formula
  include Minitest::Assertions
  attr_accessor :assertions

  class << self
    attr_reader :stable_url, :checksum, :head_url, :dependencies

    def desc(text = nil) = text ? @desc = text : @desc
    def homepage(url = nil) = url ? @homepage = url : @homepage
    def license(name = nil) = name ? @license = name : @license

    def url(value, **) = @stable_url = value
    def sha256(value) = @checksum = value
    def head(value, **) = @head_url = value

    def depends_on(spec)
      (@dependencies ||= []) << spec
    end

    def test(&block) = @test_block = block
    def test_block = @test_block

    def inherited(subclass)
      super
      (@subclasses ||= []) << subclass
    end

    def subclasses = @subclasses || []
    def version = stable_url[/(\d+\.\d+\.\d+)/, 1]
  end

  attr_reader :prefix, :testpath

  def initialize(prefix, built_binary)
    @prefix = Pathname(prefix)
    @built_binary = built_binary
    @assertions = 0
  end

  def name = self.class.name.downcase
  def version = self.class.version
  def bin = prefix/"bin"
  def share = prefix/"share"
  def man = share/"man"
  def man1 = man/"man1"
  def bash_completion = prefix/"etc/bash_completion.d"
  def zsh_completion = share/"zsh/site-functions"
  def fish_completion = share/"fish/vendor_completions.d"

  def std_cargo_args(root: prefix, path: ".")
    ["--locked", "--root", root.to_s, "--path", path.to_s]
  end

  def system(*args)
    args = args.map(&:to_s)
    puts "==> #{args.join(" ")}"
    if args[0..1] == %w[cargo install]
      fake_cargo_install(args.drop(2))
    else
      Kernel.system(*args) || raise("failed: #{args.join(" ")}")
    end
  end

  def generate_completions_from_executable(*commands, base_name: name, shells: [:bash, :zsh, :fish])
    paths = {
      bash: bash_completion/base_name,
      zsh: zsh_completion/"_#{base_name}",
      fish: fish_completion/"#{base_name}.fish",
    }
    shells.each do |shell|
      output, status = Open3.capture2({ "SHELL" => shell.to_s }, *commands.map(&:to_s), shell.to_s)
      raise "completion for #{shell} failed" unless status.success?

      paths[shell].dirname.mkpath
      paths[shell].write(output)
    end
  end

  def shell_output(command, result = 0)
    output, status = Open3.capture2("/bin/sh", "-c", command)
    assert_equal result, status.exitstatus, "exit status of #{command}"
    output
  end

  def run_test(testpath)
    @testpath = Pathname(testpath)
    testpath.mkpath
    Dir.chdir(testpath) do
      old_home = ENV.fetch("HOME", nil)
      ENV["HOME"] = testpath.to_s
      begin
        instance_eval(&self.class.test_block)
      ensure
        ENV["HOME"] = old_home
      end
    end
  end

  private

  def fake_cargo_install(args)
    %w[--locked --root --path].each do |flag|
      raise "cargo install without #{flag}: #{args}" unless args.include?(flag)
    end
    root = Pathname(args[args.index("--root") + 1])
    (root/"bin").mkpath
    FileUtils.cp(@built_binary, root/"bin/berth")
  end
end

def check(what)
  raise "formula check failed: #{what}" unless yield

  puts "ok: #{what}"
end

formula_path, binary, work = ARGV
abort "usage: smoke.rb FORMULA BERTH_BINARY WORK_DIR" unless work
load File.expand_path(formula_path)
klass = Formula.subclasses.first
check("one Formula subclass named Berth") { Formula.subclasses.size == 1 && klass.name == "Berth" }
check("desc, homepage and license") { klass.desc && klass.homepage.start_with?("https://") && klass.license }
check("a versioned release url with a sha256") do
  klass.stable_url.match?(%r{\Ahttps://.+/berth-\d+\.\d+\.\d+\.tar\.gz\z}) && klass.checksum.match?(/\A\h{64}\z/)
end
check("a head url") { klass.head_url.end_with?(".git") }
check("builds with rust, runs qemu") do
  klass.dependencies.include?({ "rust" => :build }) && klass.dependencies.include?("qemu")
end

prefix = Pathname(work)/"Cellar/berth"/klass.version
formula = klass.new(prefix, binary)
formula.install
{
  "the binary" => formula.bin/"berth",
  "bash completion" => formula.bash_completion/"berth",
  "zsh completion" => formula.zsh_completion/"_berth",
  "fish completion" => formula.fish_completion/"berth.fish",
  "man page berth.1" => formula.man1/"berth.1",
  "man page berth-machine-init.1" => formula.man1/"berth-machine-init.1",
}.each { |what, path| check("installed #{what}") { path.file? && path.size.positive? } }

caveats = formula.caveats
puts caveats
check("caveats say how to start a machine") { caveats.include?("berth machine init") && caveats.include?("berth machine start") }
check("caveats give the DOCKER_HOST line") { caveats.include?("export DOCKER_HOST=") }

formula.run_test(Pathname(work)/"test")
check("the test block ran its assertions") { formula.assertions >= 3 }
puts "homebrew smoke: all checks passed"
