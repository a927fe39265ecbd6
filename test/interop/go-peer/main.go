// Command go-peer is a CloudEvents peer built only from the official
// CloudEvents Go SDK (github.com/cloudevents/sdk-go/v2) and its NATS JetStream
// protocol binding (github.com/cloudevents/sdk-go/protocol/nats_jetstream/v2).
// The integration tests use it to check that our NATS binding interoperates
// with an implementation nobody on this team wrote.
//
// The peer adds no wire logic of its own: `send` hands an event to the SDK's
// Sender, `receive` takes messages from the SDK's Consumer and converts them
// with binding.ToEvent. See README.md for the usage and why the JetStream
// binding is the SDK's v2 module rather than its v3 one.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	cejs "github.com/cloudevents/sdk-go/protocol/nats_jetstream/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/nats-io/nats.go"
)

const usage = `usage:
  go-peer send --url nats://127.0.0.1:PORT --stream STREAM --subject SUBJ
               --mode binary|structured --id ID --source SRC --type TYPE
               --data '{"json":1}' [--time RFC3339|now] [--ext key=value ...]
  go-peer receive --url nats://127.0.0.1:PORT --stream STREAM --subject SUBJ
               --count N [--timeout 20s]

send    publishes one CloudEvent (specversion 1.0, datacontenttype
        application/json) with the SDK's JetStream Sender and prints "sent <id>".
receive reads N events with the SDK's JetStream Consumer (ephemeral push
        consumer, deliver policy all, on the existing stream), converts each
        with binding.ToEvent and prints event.MarshalJSON() as one line each.
The stream must already exist; the peer never creates one.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "send":
		err = runSend(os.Args[2:])
	case "receive":
		err = runReceive(os.Args[2:])
	case "-h", "--help", "help":
		fmt.Fprint(os.Stdout, usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "go-peer: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-peer %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// extFlag collects repeated --ext key=value flags, in order.
type extFlag [][2]string

func (e *extFlag) String() string { return fmt.Sprint(*e) }
func (e *extFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("--ext wants key=value, got %q", v)
	}
	*e = append(*e, [2]string{k, val})
	return nil
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	return fs
}

func require(fs *flag.FlagSet, names ...string) error {
	for _, n := range names {
		if fs.Lookup(n).Value.String() == "" {
			return fmt.Errorf("missing required flag --%s", n)
		}
	}
	return nil
}

// existingStream fails early, with a clear reason, when the stream is not
// there: the SDK's constructors would otherwise create one themselves.
func existingStream(url, stream string) error {
	nc, err := nats.Connect(url, nats.Name("go-peer-check"), nats.Timeout(5*time.Second))
	if err != nil {
		return fmt.Errorf("connect %s: %w", url, err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		return fmt.Errorf("jetstream context: %w", err)
	}
	if _, err := js.StreamInfo(stream); err != nil {
		return fmt.Errorf("stream %q: %w (go-peer does not create streams)", stream, err)
	}
	return nil
}

func runSend(args []string) error {
	fs := newFlagSet("send")
	url := fs.String("url", "", "NATS server URL")
	stream := fs.String("stream", "", "existing JetStream stream name")
	subject := fs.String("subject", "", "subject to publish to")
	mode := fs.String("mode", "", "binary or structured")
	id := fs.String("id", "", "CloudEvents id")
	source := fs.String("source", "", "CloudEvents source")
	typ := fs.String("type", "", "CloudEvents type")
	data := fs.String("data", "", "JSON data")
	tm := fs.String("time", "", "CloudEvents time (RFC 3339, or \"now\"); omitted when empty")
	var exts extFlag
	fs.Var(&exts, "ext", "extension attribute key=value (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := require(fs, "url", "stream", "subject", "mode", "id", "source", "type", "data"); err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch *mode {
	case "binary":
		ctx = binding.WithForceBinary(ctx)
	case "structured":
		ctx = binding.WithForceStructured(ctx)
	default:
		return fmt.Errorf("--mode must be binary or structured, got %q", *mode)
	}

	if !json.Valid([]byte(*data)) {
		return fmt.Errorf("--data is not valid JSON: %q", *data)
	}
	e := event.New(event.CloudEventsVersionV1)
	e.SetID(*id)
	e.SetSource(*source)
	e.SetType(*typ)
	switch *tm {
	case "":
	case "now":
		e.SetTime(time.Now().UTC())
	default:
		t, err := time.Parse(time.RFC3339Nano, *tm)
		if err != nil {
			return fmt.Errorf("--time: %w", err)
		}
		e.SetTime(t)
	}
	for _, kv := range exts {
		e.SetExtension(kv[0], kv[1])
	}
	// The JSON bytes go out exactly as given. (SetData with a []byte would
	// mark them base64, so structured mode would carry "data_base64";
	// SetData with a json.RawMessage would re-encode them.)
	e.SetDataContentType(event.ApplicationJSON)
	e.DataEncoded = []byte(*data)
	e.DataBase64 = false
	if err := e.Validate(); err != nil {
		return fmt.Errorf("invalid event: %w", err)
	}

	if err := existingStream(*url, *stream); err != nil {
		return err
	}
	sender, err := cejs.NewSender(*url, *stream, *subject,
		cejs.NatsOptions(nats.Name("go-peer-send"), nats.Timeout(5*time.Second)), nil)
	if err != nil {
		return fmt.Errorf("sdk sender: %w", err)
	}
	defer sender.Close(context.Background())

	if err := sender.Send(ctx, binding.ToMessage(&e)); err != nil {
		return fmt.Errorf("sdk send: %w", err)
	}
	fmt.Printf("sent %s\n", e.ID())
	return nil
}

func runReceive(args []string) error {
	fs := newFlagSet("receive")
	url := fs.String("url", "", "NATS server URL")
	stream := fs.String("stream", "", "existing JetStream stream name")
	subject := fs.String("subject", "", "subject (may contain wildcards) to consume")
	count := fs.Int("count", 1, "number of events to receive")
	timeout := fs.Duration("timeout", 20*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := require(fs, "url", "stream", "subject"); err != nil {
		return err
	}
	if *count < 1 {
		return fmt.Errorf("--count must be at least 1")
	}
	if err := existingStream(*url, *stream); err != nil {
		return err
	}

	// An ephemeral push consumer bound to the existing stream, filtered on
	// the subject, starting at the first message the stream holds. AckNone:
	// the SDK's v2 Message.Finish does not ack, and nothing should be
	// redelivered while we read.
	subOpts := []nats.SubOpt{
		nats.BindStream(*stream),
		nats.DeliverAll(),
		nats.AckNone(),
	}
	consumer, err := cejs.NewConsumer(*url, *stream, *subject,
		cejs.NatsOptions(nats.Name("go-peer-receive"), nats.Timeout(5*time.Second)), nil, subOpts)
	if err != nil {
		return fmt.Errorf("sdk consumer: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	openErr := make(chan error, 1)
	go func() { openErr <- consumer.OpenInbound(ctx) }()

	got := 0
	for got < *count {
		msg, err := consumer.Receive(ctx)
		if err != nil {
			select {
			case oerr := <-openErr:
				if oerr != nil {
					return fmt.Errorf("sdk consumer subscribe: %w", oerr)
				}
			default:
			}
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return fmt.Errorf("timeout after %s: received %d of %d events on %q", *timeout, got, *count, *subject)
			}
			return fmt.Errorf("sdk receive: %w", err)
		}
		ev, err := binding.ToEvent(ctx, msg)
		if err != nil {
			return fmt.Errorf("event %d of %d: parse error: %s%s", got+1, *count, oneLine(err), describe(msg))
		}
		if err := ev.Validate(); err != nil {
			return fmt.Errorf("event %d of %d: invalid event: %s%s", got+1, *count, oneLine(err), describe(msg))
		}
		line, err := ev.MarshalJSON()
		if err != nil {
			return fmt.Errorf("event %d of %d: marshal: %w", got+1, *count, err)
		}
		fmt.Println(string(line))
		_ = msg.Finish(nil)
		got++
	}
	cancel()
	// The SDK's receiver hands messages over an unbuffered channel; closing
	// can wait on its callback, so do not let it hold up the exit.
	done := make(chan struct{})
	go func() { consumer.Close(context.Background()); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	return nil
}

// describe adds the raw NATS message to an error, so a failing interop test
// shows what was on the wire.
func describe(m binding.Message) string {
	jm, ok := m.(*cejs.Message)
	if !ok || jm.Msg == nil {
		return ""
	}
	return fmt.Sprintf(" (subject %q, headers %v, payload %q)", jm.Msg.Subject, map[string][]string(jm.Msg.Header), jm.Msg.Data)
}

// oneLine flattens the SDK's multi-line validation errors.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")), " ")
}
