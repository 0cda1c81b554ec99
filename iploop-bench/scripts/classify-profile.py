# Shares of a collapsed async-profiler profile of the server (profile-server.sh) by what the new-connection path
# does (iploop-bench/PROFILE.md, round 4). Each stack goes to the first category one of whose markers it contains,
# so the more specific categories come first; the JIT compiler is counted, then left out of the shares.
#   python3 iploop-bench/scripts/classify-profile.py iploop-bench/profiles/NAME-new-conn.collapsed.gz
import collections,sys,gzip
path=sys.argv[1]
op=gzip.open if path.endswith('.gz') else open
rows=[]
for line in op(path,'rt'):
    st,n=line.rsplit(' ',1); rows.append((st.split(';'),int(n)))
cats=[
('JIT compiler',['CompileBroker','C2Compiler','Compile::']),
('GC',['GCTaskThread','VM_GenCollect','SerialHeap','DefNewGeneration','VMThread']),
('usage batcher + journal threads (JDBC, journal appends)',['UsageBatcher','UsageJournal']),
('agent: exit connect (socket, register, connect syscall)',['Bootstrap$1.run','Bootstrap.connect','Bootstrap.doResolveAndConnect','NioSocketChannel.doConnect','AbstractNioChannel$AbstractNioUnsafe.finishConnect']),
('agent: OPEN handling, egress check, OPEN_OK',['NodeAgent$','EgressPolicy']),
('exit stream close + CLOSE frame (both sides)',['TunnelStream.doClose','TunnelStream.close','NodeExitStream.close','finishBinding']),
('customer connection close (gateway)',['HttpProxyServerForwardHandler.completeExchange','fireChannelInactive','doDeregister','fireChannelUnregistered']),
('request: select node + OPEN (gateway)',['ProxyTunnels.openExit','NodeExitConnector','TunnelSession.openStream','NodeSelector']),
('request: encode + send DATA (EmbeddedChannel codec)',['Binding.<init>','Binding.send','flushPending','HttpProxyServerForwardHandler.started','HttpProxyServerForwardHandler.onOpened']),
('credential check + plan admission',['ProxyAuthentication','ProxyCredentials','ProxyAuthCache','AccountLimiter']),
('response: decode + write + flush to customer',['HttpProxyServerForwardHandler.onExitData','onResponseObject']),
('gateway accept + pipeline (register, initChannel)',['ServerBootstrapAcceptor','initChannel','register0','epollAccept','EpollServerSocketChannel']),
('request: decode (HttpServerCodec), head handlers',['HttpRequestDecoder','HttpServerCodec','HttpObjectDecoder','HttpProxyServerHeadDeadlineHandler','HttpProxyServerFlowHandler']),
('tunnel: frame decode/dispatch, relay at the agent, acks',['TunnelSession','TunnelStream','TunnelFrameCodec','WebSocket','ByteStreamRelay']),
('epoll wait / wake-ups / scheduling',['epoll_wait','epollWait','EpollIoHandler.run','SelectorImpl','eventfd','finish_task_switch','schedule']),
('other Netty I/O (reads, writes, tasks)',['io/netty']),
]
c=collections.Counter()
for fr,n in rows:
    s=';'.join(fr)
    for name,keys in cats:
        if any(k in s for k in keys):
            c[name]+=n; break
    else: c['other (JVM, JDK, kernel)']+=n
tot=sum(c.values()); nj=tot-c['JIT compiler']
print(f"samples {tot}, JIT {c['JIT compiler']*100/tot:.1f}%")
for name,_ in cats+[('other (JVM, JDK, kernel)',0)]:
    if name=='JIT compiler': continue
    print(f"| {name} | {c[name]*100/nj:.1f} % |")
