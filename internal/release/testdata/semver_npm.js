// Writes semver_npm.json, the table TestSemverMatchesNPMRandom compares
// against: random ranges and versions with npm semver's answers.
//   node semver_npm.js /path/to/node_modules/semver > semver_npm.json
const semver = require(process.argv[2] || 'semver');
function r(n){return Math.floor(Math.random()*n)}
const ops=["","=","<","<=",">",">=","~","^","~>"];
function part(){const p=[r(3),r(4),r(4)];const n=r(4);const xs=["x","X","*"];let s=p.slice(0,n||1).map(v=>r(5)==0?xs[r(3)]:String(v)).join(".");if(n==3&&r(4)==0)s+="-"+["beta","rc.1","0","alpha.2"][r(4)];return s}
function cmp(){const o=ops[r(ops.length)];return o+(o&&r(5)==0?" ":"")+(r(8)==0?"v":"")+part()+(r(10)==0?"+b.1":"")}
function set(){ if(r(6)==0) return part()+" - "+part(); const k=1+r(2); return Array.from({length:k},cmp).join(" ")}
function range(){ if(r(10)==0) return "*"; const k=1+(r(4)==0); return Array.from({length:k},()=>r(30)==0?"":set()).join(r(2)?" || ":"||")}
function ver(){let s=[r(3),r(4),r(4)].join(".");if(r(4)==0)s+="-"+["beta","rc.1","0","alpha.2"][r(4)];return s}
const out=[];
for(let i=0;i<2000;i++){const R=range(),V=ver();const valid=semver.validRange(R)!==null;out.push([R,V,valid,valid&&semver.satisfies(V,R),valid&&semver.gtr(V,R)]);}
const valid=[];
for(let i=0;i<1000;i++){const parts=[String(r(3)),String(r(12)),"0"+r(3),"x",""];let v=Array.from({length:1+r(4)},()=>parts[r(parts.length)]).join(".");if(r(3)==0)v+="-"+["beta","01","rc.1",""][r(4)];if(r(5)==0)v="v"+v;if(r(6)==0)v+="+b";valid.push([v,semver.valid(v)]);}
console.log(JSON.stringify({version:require((process.argv[2]||'semver')+'/package.json').version,ranges:out,versions:valid}));
